import { PolicyRefusalError, ValidationError } from '@guichet/core';
import { describe, expect, it } from 'vitest';
import { checkImportLimit, DEFAULT_LIMITS, type PrefixFacts, pendingPi, planAnnouncements } from './rules.js';

const facts: PrefixFacts = {
  own: [
    { id: 'a1', prefix: '2001:660:1::/48' },
    { id: 'a2', prefix: '193.48.1.0/24' },
    { id: 'a3', prefix: '2001:660:2::/47' },
  ],
  operatorSpace: ['2001:660::/32', '193.48.0.0/16'],
  othersAssigned: [{ prefix: '2001:660:9::/48', institution: 'B' }],
  othersAnnounced: [{ prefix: '185.10.0.0/22', institution: 'B' }],
  acceptedPi: [
    { prefix: '185.30.0.0/23', evidence: 'RIPE', acceptedBy: 'staff:noc', acceptedAt: new Date(0) },
  ],
};

const refusal = (list: string[]) => {
  try {
    planAnnouncements(list, facts, DEFAULT_LIMITS);
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('routing rules', () => {
  it('accepts assignments, their more-specifics down to the limit, and accepted PI', () => {
    const plan = planAnnouncements(
      ['2001:660:1::/48', '193.48.1.0/24', '2001:660:2::/47', '2001:660:3::/48', '185.30.0.0/24'],
      facts,
      DEFAULT_LIMITS,
    );
    expect(plan.map((p) => p.source)).toEqual(['ipam', 'ipam', 'ipam', 'ipam', 'pi']);
    expect(plan[3]).toMatchObject({ assignmentId: 'a3' });
    expect(pendingPi(plan)).toEqual([]);
  });

  it.each([
    ['193.48.1.0/25', 'prefix-too-long'],
    ['2001:660:1::/56', 'prefix-too-long'],
    ['10.0.0.0/8', 'bogon'],
    ['2001:db8::/32', 'bogon'],
    ['0.0.0.0/0', 'bogon'],
    ['185.10.1.0/24', 'announced-elsewhere'],
    ['185.8.0.0/14', 'announced-elsewhere'],
    ['2001:660:9::/48', 'not-yours'],
    ['2001:660:8::/47', 'not-yours'],
    ['193.48.7.0/24', 'not-yours'],
  ])('refuses %s (%s), naming the prefix and its place', (prefix, rule) => {
    const e = refusal(['193.48.1.0/24', prefix]);
    expect(e).toBeInstanceOf(PolicyRefusalError);
    expect((e as PolicyRefusalError).rule).toBe(rule);
    expect((e as Error).message).toContain('input.prefixes.1');
  });

  it('gives field paths for bad and duplicate prefixes', () => {
    for (const list of [['193.48.1.1/24'], ['193.48.1.0/24', '193.48.1.0/24']]) {
      const e = refusal(list) as ValidationError;
      expect(e).toBeInstanceOf(ValidationError);
      expect(e.issues[0]!.path).toEqual(['input', 'prefixes', list.length - 1]);
    }
  });

  it('leaves a PI prefix outside the operator space to the NOC, with its evidence', () => {
    const plan = planAnnouncements(
      ['185.20.0.0/24'],
      facts,
      DEFAULT_LIMITS,
      new Map([['185.20.0.0/24', 'ORG-X']]),
    );
    expect(plan[0]).toMatchObject({ source: 'pi', evidence: 'ORG-X', accepted: null });
    expect(pendingPi(plan)).toEqual(['185.20.0.0/24']);
  });

  it('follows configured limits and the import limit', () => {
    expect(planAnnouncements(['193.48.1.0/25'], facts, { maxV4: 25, maxV6: 48 })).toHaveLength(1);
    expect(() => checkImportLimit({ name: 'edge', importLimit: 2 }, 2)).not.toThrow();
    expect(() => checkImportLimit({ name: 'edge', importLimit: 2 }, 3)).toThrow(/import limit of 2/);
  });
});
