import { PolicyRefusalError } from '@guichet/core';
import type { Family } from '@guichet/net';
import { type Block, fromBlock, maxBits } from './model.js';

/**
 * RIPE Database status rules (whois InetnumStatus / Inet6numStatus, AGGREGATED-BY-LIR
 * validators), enforced before anything is written. Pure: every refusal names its rule.
 */

export const POOL_STATUSES = {
  4: ['ALLOCATED PA', 'LIR-PARTITIONED PA', 'SUB-ALLOCATED PA', 'AGGREGATED-BY-LIR'],
  6: ['ALLOCATED-BY-RIR', 'ALLOCATED-BY-LIR', 'AGGREGATED-BY-LIR'],
} as const;
export type PoolStatus = (typeof POOL_STATUSES)[4 | 6][number];
export const ALL_POOL_STATUSES = [...new Set([...POOL_STATUSES[4], ...POOL_STATUSES[6]])] as PoolStatus[];

export const ASSIGNMENT_STATUS: Record<Family, 'ASSIGNED PA' | 'ASSIGNED'> = {
  4: 'ASSIGNED PA',
  6: 'ASSIGNED',
};

/** Which status may sit directly under which (null: made by the RIR, a root pool). */
const PARENTS: Record<Family, Record<string, (string | null)[]>> = {
  4: {
    'ALLOCATED PA': [null],
    'LIR-PARTITIONED PA': ['ALLOCATED PA', 'LIR-PARTITIONED PA'],
    'SUB-ALLOCATED PA': ['ALLOCATED PA', 'LIR-PARTITIONED PA', 'SUB-ALLOCATED PA'],
    'AGGREGATED-BY-LIR': ['ALLOCATED PA', 'SUB-ALLOCATED PA', 'LIR-PARTITIONED PA'],
    'ASSIGNED PA': ['ALLOCATED PA', 'LIR-PARTITIONED PA', 'SUB-ALLOCATED PA', 'AGGREGATED-BY-LIR'],
  },
  6: {
    'ALLOCATED-BY-RIR': [null],
    'ALLOCATED-BY-LIR': ['ALLOCATED-BY-RIR', 'ALLOCATED-BY-LIR'],
    'AGGREGATED-BY-LIR': ['ALLOCATED-BY-RIR', 'ALLOCATED-BY-LIR', 'AGGREGATED-BY-LIR'],
    ASSIGNED: ['ALLOCATED-BY-RIR', 'ALLOCATED-BY-LIR', 'AGGREGATED-BY-LIR'],
  },
};

export interface ParentInfo {
  status: string;
  prefix: Block;
  assignmentSize: number | null;
  /** Number of AGGREGATED-BY-LIR levels from the root down to (and including) this pool. */
  aggregatedLevels: number;
}

/** A status may sit under its parent (`status-parent`), in the right family (`status-family`). */
export function checkStatusUnder(family: Family, status: string, parent: ParentInfo | null): void {
  const allowed = PARENTS[family][status];
  if (!allowed) {
    throw new PolicyRefusalError('status-family', `status ${status} does not exist for IPv${family} space`);
  }
  const parentStatus = parent?.status ?? null;
  if (!allowed.includes(parentStatus)) {
    throw new PolicyRefusalError(
      'status-parent',
      parentStatus === null
        ? `status ${status} needs a parent (${allowed.filter(Boolean).join(', ')})`
        : `status ${status} may not sit under ${parentStatus} (allowed: ${allowed.map((s) => s ?? 'none: RIR-made').join(', ')})`,
    );
  }
}

/** AGGREGATED-BY-LIR: assignment-size rules of the whois validators. */
export function checkAssignmentSize(
  family: Family,
  status: string,
  prefix: Block,
  assignmentSize: number | null | undefined,
  parent: ParentInfo | null,
): void {
  if (status !== 'AGGREGATED-BY-LIR') {
    if (assignmentSize != null) {
      throw new PolicyRefusalError(
        'assignment-size-status',
        `assignment-size is only allowed on AGGREGATED-BY-LIR`,
      );
    }
    return;
  }
  if (assignmentSize == null) {
    if (family === 6) {
      throw new PolicyRefusalError(
        'assignment-size-mandatory',
        'an AGGREGATED-BY-LIR inet6num needs assignment-size',
      );
    }
  } else if (assignmentSize <= prefix.len || assignmentSize > maxBits(family)) {
    throw new PolicyRefusalError(
      'assignment-size-range',
      `assignment-size ${assignmentSize} must be longer than /${prefix.len} and at most ${maxBits(family)}`,
    );
  }
  if (parent?.status === 'AGGREGATED-BY-LIR') {
    if (parent.assignmentSize !== null && prefix.len !== parent.assignmentSize) {
      throw new PolicyRefusalError(
        'assignment-size-child',
        `a child of ${fromBlock(parent.prefix)} must be a /${parent.assignmentSize} (its assignment-size)`,
      );
    }
    if (parent.aggregatedLevels >= 2) {
      throw new PolicyRefusalError(
        'aggregated-depth',
        'at most 2 levels of AGGREGATED-BY-LIR in one hierarchy',
      );
    }
  }
}

/** An assignment under an AGGREGATED-BY-LIR pool has exactly its assignment-size. */
export function checkAssignmentFits(pool: ParentInfo & { name: string }, len: number): void {
  if (len < pool.prefix.len) {
    throw new PolicyRefusalError(
      'larger-than-pool',
      `a /${len} is larger than pool ${pool.name} (${fromBlock(pool.prefix)})`,
    );
  }
  if (pool.status === 'AGGREGATED-BY-LIR' && pool.assignmentSize !== null && len !== pool.assignmentSize) {
    throw new PolicyRefusalError(
      'assignment-size-child',
      `pool ${pool.name} is AGGREGATED-BY-LIR with assignment-size ${pool.assignmentSize}: a /${len} may not sit under it`,
    );
  }
}

/**
 * RIPE documentation rules: an IPv6 assignment shorter than a /48, or any IPv4 assignment,
 * needs a justification (IPv4: a usage description) kept with the assignment.
 */
export function needsJustification(family: Family, len: number): boolean {
  return family === 4 || len < 48;
}

export function checkJustification(
  family: Family,
  len: number,
  justification: string | null | undefined,
): void {
  if (needsJustification(family, len) && !justification?.trim()) {
    throw new PolicyRefusalError(
      'justification-required',
      family === 4
        ? 'an IPv4 assignment needs a usage description'
        : `an IPv6 assignment shorter than /48 (here /${len}) needs a justification`,
    );
  }
}
