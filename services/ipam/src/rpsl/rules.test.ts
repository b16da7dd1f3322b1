import { PolicyRefusalError, ValidationError } from '@guichet/core';
import { describe, expect, it } from 'vitest';
import {
  type AssignmentInput,
  checkMandatory,
  inet6numFor,
  inetnumFor,
  missingMandatory,
  objectRefusals,
} from './builders.js';
import { parseRpsl } from './model.js';
import {
  checkAggregatedByLir,
  checkLirMayCreate,
  checkStatusParent,
  knownStatuses,
  lirCreatableStatuses,
} from './status.js';

const base: AssignmentInput = {
  prefix: '192.0.2.0/26',
  netname: 'EX-NET',
  country: 'FR',
  adminC: ['AA1-TEST'],
  techC: ['TT1-TEST'],
  mntBy: ['EX-MNT'],
  status: 'ASSIGNED PA',
  source: 'TEST',
};

function refusal(fn: () => unknown): PolicyRefusalError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyRefusalError);
    return e as PolicyRefusalError;
  }
  throw new Error('expected a PolicyRefusalError');
}

describe('builders', () => {
  it('keys an inetnum by its range and an inet6num by its canonical prefix', () => {
    expect(inetnumFor(base).attributes[0]).toEqual({ name: 'inetnum', value: '192.0.2.0 - 192.0.2.63' });
    const v6 = inet6numFor({ ...base, prefix: '2001:0DB8:0042::/48', status: 'ASSIGNED' });
    expect(v6.attributes[0]).toEqual({ name: 'inet6num', value: '2001:db8:42::/48' });
  });

  it('refuses a missing mandatory attribute by name', () => {
    const r = refusal(() => inetnumFor({ ...base, techC: [] }));
    expect(r.rule).toBe('ripe.mandatory-attribute');
    expect(r.message).toBe('inetnum: Mandatory attribute "tech-c" is missing');
    expect(refusal(() => inetnumFor({ ...base, adminC: [' '], mntBy: [] })).message).toMatch(
      /"admin-c" is missing \(also missing: mnt-by\)/,
    );
  });

  it('requires assignment-size on inet6num AGGREGATED-BY-LIR only', () => {
    const abl = { ...base, prefix: '2001:db8:1000::/36', status: 'AGGREGATED-BY-LIR' };
    const r = refusal(() => inet6numFor(abl));
    expect(r.message).toMatch(/Mandatory attribute "assignment-size" is missing/);
    expect(inet6numFor({ ...abl, assignmentSize: 48 }).attributes).toContainEqual({
      name: 'assignment-size',
      value: '48',
    });
    // Optional on inetnum (whois #1467).
    expect(() => inetnumFor({ ...base, prefix: '192.0.2.0/24', status: 'AGGREGATED-BY-LIR' })).not.toThrow();
    expect(refusal(() => inet6numFor({ ...abl, assignmentSize: 36 })).rule).toBe(
      'ripe.assignment-size.range',
    );
    expect(refusal(() => inet6numFor({ ...abl, assignmentSize: 129 })).rule).toBe(
      'ripe.assignment-size.range',
    );
    expect(refusal(() => inetnumFor({ ...base, assignmentSize: 28 })).rule).toBe(
      'ripe.assignment-size.status',
    );
  });

  it('refuses malformed input as validation errors', () => {
    expect(() => inetnumFor({ ...base, prefix: '192.0.2.1/26' })).toThrow(ValidationError);
    expect(() => inetnumFor({ ...base, prefix: '2001:db8::/48' })).toThrow(/not an IPv4 prefix/);
    expect(() => inet6numFor({ ...base })).toThrow(/not an IPv6 prefix/);
    expect(() => inetnumFor({ ...base, status: 'ASSIGNED' })).toThrow(/not a valid inetnum status/);
    expect(() => inetnumFor({ ...base, netname: '1-BAD' })).toThrow(/netname/);
    expect(() => inetnumFor({ ...base, country: 'FRA' })).toThrow(/country/);
  });

  it('checks objects that did not come from a builder', () => {
    const [obj] = parseRpsl('inet6num: 2001:db8::/36\nnetname: X\nstatus: AGGREGATED-BY-LIR\nsource: TEST\n');
    expect(missingMandatory(obj!)).toEqual(['country', 'admin-c', 'tech-c', 'mnt-by', 'assignment-size']);
    expect(() => checkMandatory(obj!)).toThrow(/"country" is missing/);
    const [route] = parseRpsl('route: 192.0.2.0/24\norigin: AS64500\nmnt-by: X-MNT\nsource: TEST\n');
    expect(objectRefusals(route!)).toEqual([]);
  });
});

describe('checkStatusParent', () => {
  const allowed: [string, string, 4 | 6][] = [
    ['ASSIGNED PA', 'ALLOCATED PA', 4],
    ['ASSIGNED PA', 'LIR-PARTITIONED PA', 4],
    ['ASSIGNED PA', 'SUB-ALLOCATED PA', 4],
    ['ASSIGNED PA', 'AGGREGATED-BY-LIR', 4],
    ['SUB-ALLOCATED PA', 'SUB-ALLOCATED PA', 4],
    ['LIR-PARTITIONED PA', 'LIR-PARTITIONED PA', 4],
    ['AGGREGATED-BY-LIR', 'LIR-PARTITIONED PA', 4],
    ['ALLOCATED PA', 'ALLOCATED UNSPECIFIED', 4],
    ['LEGACY', 'LEGACY', 4],
    ['ASSIGNED', 'ALLOCATED-BY-RIR', 6],
    ['ASSIGNED', 'ALLOCATED-BY-LIR', 6],
    ['ASSIGNED', 'AGGREGATED-BY-LIR', 6],
    ['AGGREGATED-BY-LIR', 'AGGREGATED-BY-LIR', 6],
    ['ALLOCATED-BY-LIR', 'ALLOCATED-BY-LIR', 6],
    ['assigned  pa', 'allocated pa', 4],
  ];
  it.each(allowed)('%s under %s (IPv%s) is allowed', (child, parent, family) => {
    expect(checkStatusParent(child, parent, family)).toBeUndefined();
  });

  const refused: [string, string | null, 4 | 6, string][] = [
    ['ASSIGNED PA', 'ASSIGNED PA', 4, 'ripe.status.parent'],
    ['AGGREGATED-BY-LIR', 'AGGREGATED-BY-LIR', 4, 'ripe.status.parent'],
    ['LIR-PARTITIONED PA', 'SUB-ALLOCATED PA', 4, 'ripe.status.parent'],
    ['ASSIGNED PI', 'ALLOCATED PA', 4, 'ripe.status.parent'],
    ['ASSIGNED', 'ASSIGNED', 6, 'ripe.status.parent'],
    ['ALLOCATED-BY-LIR', 'AGGREGATED-BY-LIR', 6, 'ripe.status.parent'],
    ['ASSIGNED PA', 'ALLOCATED-BY-RIR', 6, 'ripe.status.unknown'],
    ['ASSIGNED', 'ALLOCATED PA', 4, 'ripe.status.unknown'],
    ['ASSIGNED PA', null, 4, 'ripe.status.parent-missing'],
  ];
  it.each(refused)('%s under %s (IPv%s) is refused by %s', (child, parent, family, rule) => {
    const r = checkStatusParent(child, parent, family);
    expect(r).toBeInstanceOf(PolicyRefusalError);
    expect(r!.rule).toBe(rule);
  });

  it('says which parent status was wrong in whois words', () => {
    expect(checkStatusParent('ASSIGNED', 'ASSIGNED', 6)!.message).toMatch(
      /^inet6num parent has incorrect status: ASSIGNED/,
    );
  });

  it('keeps RIR-made statuses out of LIR hands', () => {
    expect(lirCreatableStatuses(4).sort()).toEqual([
      'AGGREGATED-BY-LIR',
      'ASSIGNED PA',
      'LIR-PARTITIONED PA',
      'SUB-ALLOCATED PA',
    ]);
    expect(lirCreatableStatuses(6).sort()).toEqual(['AGGREGATED-BY-LIR', 'ALLOCATED-BY-LIR', 'ASSIGNED']);
    expect(checkLirMayCreate('ALLOCATED PA', 4)!.rule).toBe('ripe.status.rir-only');
    expect(checkLirMayCreate('ASSIGNED', 6)).toBeUndefined();
    expect(knownStatuses(6)).toContain('ASSIGNED ANYCAST');
  });
});

describe('checkAggregatedByLir', () => {
  const abl = { status: 'AGGREGATED-BY-LIR', assignmentSize: 48 };
  it('allows an assignment of the parent assignment-size and two levels of aggregation', () => {
    expect(
      checkAggregatedByLir({ family: 6, prefixLength: 48, status: 'ASSIGNED', ancestors: [abl] }),
    ).toBeUndefined();
    expect(
      checkAggregatedByLir({
        family: 6,
        prefixLength: 48,
        status: 'AGGREGATED-BY-LIR',
        assignmentSize: 56,
        ancestors: [abl],
      }),
    ).toBeUndefined();
  });

  it('refuses a third level, a wrong child size, and children not matching the size', () => {
    const third = checkAggregatedByLir({
      family: 6,
      prefixLength: 56,
      status: 'AGGREGATED-BY-LIR',
      assignmentSize: 64,
      ancestors: [{ status: 'AGGREGATED-BY-LIR', assignmentSize: 56 }, abl, { status: 'ALLOCATED-BY-RIR' }],
    });
    expect(third!.rule).toBe('ripe.aggregated-by-lir.levels');
    expect(third!.message).toBe('Only two levels of hierarchy allowed with status AGGREGATED-BY-LIR');
    const size = checkAggregatedByLir({ family: 6, prefixLength: 56, status: 'ASSIGNED', ancestors: [abl] });
    expect(size!.rule).toBe('ripe.aggregated-by-lir.child-size');
    const kids = checkAggregatedByLir({
      family: 6,
      prefixLength: 36,
      status: 'AGGREGATED-BY-LIR',
      assignmentSize: 48,
      ancestors: [],
      childPrefixLengths: [48, 56],
    });
    expect(kids!.message).toBe('More specific objects exist that do not match assignment-size');
  });
});
