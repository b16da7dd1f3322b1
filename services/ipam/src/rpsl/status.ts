import { PolicyRefusalError } from '@guichet/core';
import type { Family } from '@guichet/net';

/**
 * The RIPE database status hierarchy (reference ripe-ipam.md §3, from whois-rpsl
 * InetnumStatus / Inet6numStatus and the AGGREGATED-BY-LIR validators). Pure tables and
 * checks that return the refusal instead of throwing, so a caller can collect every problem
 * of a batch (import) or throw the first (allocation).
 */

interface StatusRule {
  /** Statuses the direct parent object may have; empty = top of the tree. */
  parents: readonly string[];
  /** Only the RIPE NCC (RS maintainer) may create it: an LIR can hold but never write it. */
  rirOnly: boolean;
}

const V4: Record<string, StatusRule> = {
  'ALLOCATED UNSPECIFIED': { parents: [], rirOnly: true },
  'ALLOCATED PA': { parents: ['ALLOCATED UNSPECIFIED'], rirOnly: true },
  'LIR-PARTITIONED PA': { parents: ['ALLOCATED PA', 'LIR-PARTITIONED PA'], rirOnly: false },
  'SUB-ALLOCATED PA': {
    parents: ['ALLOCATED PA', 'LIR-PARTITIONED PA', 'SUB-ALLOCATED PA'],
    rirOnly: false,
  },
  'AGGREGATED-BY-LIR': {
    parents: ['ALLOCATED PA', 'SUB-ALLOCATED PA', 'LIR-PARTITIONED PA'],
    rirOnly: false,
  },
  'ASSIGNED PA': {
    parents: ['ALLOCATED PA', 'LIR-PARTITIONED PA', 'SUB-ALLOCATED PA', 'AGGREGATED-BY-LIR'],
    rirOnly: false,
  },
  'ASSIGNED PI': { parents: ['ALLOCATED UNSPECIFIED'], rirOnly: true },
  'ASSIGNED ANYCAST': { parents: ['ALLOCATED UNSPECIFIED'], rirOnly: true },
  'ALLOCATED-ASSIGNED PA': { parents: ['ALLOCATED UNSPECIFIED'], rirOnly: true },
  LEGACY: { parents: ['ALLOCATED UNSPECIFIED', 'LEGACY'], rirOnly: true },
};

const V6: Record<string, StatusRule> = {
  'ALLOCATED-BY-RIR': { parents: ['ALLOCATED-BY-RIR'], rirOnly: true },
  'ALLOCATED-BY-LIR': { parents: ['ALLOCATED-BY-RIR', 'ALLOCATED-BY-LIR'], rirOnly: false },
  'AGGREGATED-BY-LIR': {
    parents: ['ALLOCATED-BY-RIR', 'ALLOCATED-BY-LIR', 'AGGREGATED-BY-LIR'],
    rirOnly: false,
  },
  ASSIGNED: { parents: ['ALLOCATED-BY-RIR', 'ALLOCATED-BY-LIR', 'AGGREGATED-BY-LIR'], rirOnly: false },
  'ASSIGNED PI': { parents: ['ALLOCATED-BY-RIR'], rirOnly: true },
  'ASSIGNED ANYCAST': { parents: ['ALLOCATED-BY-RIR'], rirOnly: true },
};

const table = (family: Family) => (family === 4 ? V4 : V6);
const objectType = (family: Family) => (family === 4 ? 'inetnum' : 'inet6num');

/** Status values are compared as whois does: case-insensitive, single spaces. */
export function normaliseStatus(status: string): string {
  return status.trim().replace(/\s+/g, ' ').toUpperCase();
}

export function knownStatuses(family: Family): string[] {
  return Object.keys(table(family));
}

export function isKnownStatus(status: string, family: Family): boolean {
  return normaliseStatus(status) in table(family);
}

/** Statuses the LIR itself may create (the others are made by the RIPE NCC). */
export function lirCreatableStatuses(family: Family): string[] {
  return Object.entries(table(family))
    .filter(([, r]) => !r.rirOnly)
    .map(([s]) => s);
}

/**
 * May an object with `childStatus` sit directly under one with `parentStatus`? `null` parent =
 * no covering object. Returns the refusal (rule named) or undefined when allowed.
 */
export function checkStatusParent(
  childStatus: string,
  parentStatus: string | null,
  family: Family,
): PolicyRefusalError | undefined {
  const type = objectType(family);
  const child = normaliseStatus(childStatus);
  const rule = table(family)[child];
  if (!rule) {
    return new PolicyRefusalError(
      'ripe.status.unknown',
      `"${childStatus}" is not a valid ${type} status (expected one of ${knownStatuses(family).join(', ')})`,
    );
  }
  if (parentStatus === null) {
    if (rule.parents.length === 0) return undefined;
    return new PolicyRefusalError(
      'ripe.status.parent-missing',
      `${type} with status ${child} needs a parent object with status ${rule.parents.join(' or ')}`,
    );
  }
  const parent = normaliseStatus(parentStatus);
  if (rule.parents.includes(parent)) return undefined;
  // The whois text is "%s parent has incorrect status: %s"; we add what would have been right.
  return new PolicyRefusalError(
    'ripe.status.parent',
    `${type} parent has incorrect status: ${parent} (status ${child} must sit under ${rule.parents.join(', ') || 'nothing'})`,
  );
}

/** Refuses statuses only the RIPE NCC may create (whois: "Status %s can only be created by the database administrator"). */
export function checkLirMayCreate(status: string, family: Family): PolicyRefusalError | undefined {
  const rule = table(family)[normaliseStatus(status)];
  if (rule?.rirOnly) {
    return new PolicyRefusalError(
      'ripe.status.rir-only',
      `Status ${normaliseStatus(status)} can only be created by the database administrator (the RIPE NCC), not by an LIR`,
    );
  }
  return undefined;
}

export interface AggregationContext {
  family: Family;
  /** The new object's prefix length and status, and its assignment-size if any. */
  prefixLength: number;
  status: string;
  assignmentSize?: number | undefined;
  /** Covering objects, nearest first (direct parent at index 0). */
  ancestors: { status: string; assignmentSize?: number | undefined }[];
  /** Prefix lengths of the existing direct children (for a new AGGREGATED-BY-LIR over them). */
  childPrefixLengths?: number[];
}

const MAX_ABL_LEVELS = 2;

/**
 * The AGGREGATED-BY-LIR rules of whois AggregatedByLirStatusValidator: assignment-size only on
 * that status, longer than the object's own prefix and within the family; every direct child
 * of such an object exactly assignment-size long; at most two AGGREGATED-BY-LIR levels.
 */
export function checkAggregatedByLir(ctx: AggregationContext): PolicyRefusalError | undefined {
  const status = normaliseStatus(ctx.status);
  const max = ctx.family === 4 ? 32 : 128;
  const isAbl = status === 'AGGREGATED-BY-LIR';
  if (!isAbl && ctx.assignmentSize !== undefined) {
    return new PolicyRefusalError(
      'ripe.assignment-size.status',
      '"assignment-size:" attribute only allowed with status AGGREGATED-BY-LIR',
    );
  }
  if (isAbl) {
    if (ctx.assignmentSize === undefined && ctx.family === 6) {
      return new PolicyRefusalError(
        'ripe.assignment-size.missing',
        'Missing required "assignment-size" attribute',
      );
    }
    if (ctx.assignmentSize !== undefined) {
      if (ctx.assignmentSize > max) {
        return new PolicyRefusalError(
          'ripe.assignment-size.range',
          `"assignment-size:" value must not be greater than the maximum prefix size ${max}`,
        );
      }
      if (ctx.assignmentSize <= ctx.prefixLength) {
        return new PolicyRefusalError(
          'ripe.assignment-size.range',
          `"assignment-size:" value must be greater than prefix size ${ctx.prefixLength}`,
        );
      }
      if (ctx.childPrefixLengths?.some((l) => l !== ctx.assignmentSize)) {
        return new PolicyRefusalError(
          'ripe.assignment-size.children',
          'More specific objects exist that do not match assignment-size',
        );
      }
    }
    const levels = 1 + ctx.ancestors.filter((a) => normaliseStatus(a.status) === 'AGGREGATED-BY-LIR').length;
    if (levels > MAX_ABL_LEVELS) {
      return new PolicyRefusalError(
        'ripe.aggregated-by-lir.levels',
        'Only two levels of hierarchy allowed with status AGGREGATED-BY-LIR',
      );
    }
  }
  const parent = ctx.ancestors[0];
  if (
    parent &&
    normaliseStatus(parent.status) === 'AGGREGATED-BY-LIR' &&
    parent.assignmentSize !== undefined
  ) {
    if (ctx.prefixLength !== parent.assignmentSize) {
      return new PolicyRefusalError(
        'ripe.aggregated-by-lir.child-size',
        `Prefix length must be ${parent.assignmentSize} (the parent's assignment-size), not ${ctx.prefixLength}`,
      );
    }
  }
  return undefined;
}
