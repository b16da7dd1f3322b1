import { PolicyRefusalError } from '@guichet/core';
import { bogonOf, type Family } from '@guichet/net';
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
export function checkStatusUnder(
  family: Family,
  status: string,
  parent: Pick<ParentInfo, 'status'> | null,
): void {
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
export function checkAssignmentFits(
  pool: Pick<ParentInfo, 'status' | 'prefix' | 'assignmentSize'> & { name: string },
  len: number,
): void {
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

/**
 * A pool meant for assignment holds space the Internet routes: RIPE registers no object for a
 * bogon (documentation, private, shared, reserved…), and routing refuses to announce it, so an
 * institution given such a prefix could do nothing with it. `acceptBogon` is the explicit
 * exception — a lab or a test pool — and the pool then says so (`Pool.bogon`).
 */
export function checkPoolSpace(prefix: string, acceptBogon: boolean | undefined): void {
  const bogon = bogonOf(prefix);
  if (bogon && !acceptBogon) {
    throw new PolicyRefusalError(
      'bogon',
      `${prefix} overlaps ${bogon.prefix}, ${bogon.why}: the Internet does not route it, the RIPE database holds no object for it and routing refuses to announce it. Use the operator's own RIR space (for a lab or test pool, set acceptBogon)`,
    );
  }
}

/** The RPSL attributes RIPE requires on every inetnum/inet6num, which assignments inherit. */
export const POOL_RPSL_MANDATORY = [
  ['mnt-by', 'mntBy'],
  ['admin-c', 'adminC'],
  ['tech-c', 'techC'],
] as const;

/**
 * A pool names its maintainers and contacts (given, or inherited from its parent): RIPE requires
 * them on the pool's own object, and every assignment from it takes them unless the NOC gives
 * others — so a pool without them could never serve a request (`rpsl-mandatory`).
 */
export function checkPoolRpsl(
  name: string,
  lists: { mntBy: readonly string[]; adminC: readonly string[]; techC: readonly string[] },
  hasParent: boolean,
): void {
  const missing = POOL_RPSL_MANDATORY.filter(([, key]) => lists[key].length === 0).map(([attr]) => attr);
  if (missing.length) {
    throw new PolicyRefusalError(
      'rpsl-mandatory',
      `pool ${name}: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} mandatory (RIPE requires ${missing.length > 1 ? 'them' : 'it'} on every inetnum/inet6num, and the pool's assignments inherit ${missing.length > 1 ? 'them' : 'it'}): give ${missing.length > 1 ? 'them' : 'it'}${hasParent ? ', or set them on the parent pool' : ''}`,
    );
  }
}

/**
 * How much a pool's refusal tells the requester, when no pool of the family could serve a
 * request: running out of space says least, a pool whose shape does not take that size a little
 * more, and a pool that would have had room but is refused by a rule (its RPSL attributes
 * missing, its status) most — that is what the NOC must mend, and it is what the request reports.
 */
export function refusalSpecificity(rule: string): number {
  if (rule === 'no-space') return 0;
  if (rule === 'larger-than-pool' || rule === 'assignment-size-child') return 1;
  return 2;
}

/** The refusal to report for a request no pool could serve: the most specific, the first on a tie. */
export function mostSpecificRefusal(
  tried: readonly { pool: string; error: PolicyRefusalError }[],
  family: Family,
  size: number,
): PolicyRefusalError {
  let best: { pool: string; error: PolicyRefusalError } | undefined;
  for (const t of tried) {
    if (!best || refusalSpecificity(t.error.rule) > refusalSpecificity(best.error.rule)) best = t;
  }
  if (!best) return new PolicyRefusalError('no-space', `no IPv${family} pool exists to give a /${size} from`);
  const others = tried.length - 1;
  return new PolicyRefusalError(
    best.error.rule,
    `no IPv${family} pool could give a /${size}${others ? ` (${tried.length} pools tried)` : ''}; ${best.error.message}`,
  );
}
