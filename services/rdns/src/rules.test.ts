import { PolicyRefusalError, ValidationError } from '@guichet/core';
import { describe, expect, it } from 'vitest';
import { derivableZones } from './model.js';
import { validateDelegation } from './rules.js';

const INST = 'i1';
const zones = derivableZones(
  [
    { id: 'a48', institutionId: INST, prefix: '2001:660:1234::/48', lifecycle: 'active' },
    { id: 'a26', institutionId: INST, prefix: '193.48.7.64/26', lifecycle: 'active' },
  ],
  INST,
);
const Z48 = '4.3.2.1.0.6.6.0.1.0.0.2.ip6.arpa';
const NS = [{ name: 'ns1.univ.fr' }, { name: 'ns2.univ.fr' }];
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a refusal');
};

describe('validateDelegation', () => {
  it('accepts the institution’s zones', () => {
    expect(validateDelegation({ zone: Z48, nameservers: NS }, zones).zone.assignmentId).toBe('a48');
    expect(
      validateDelegation({ zone: '64-127.7.48.193.IN-ADDR.ARPA.', nameservers: NS }, zones).zone.kind,
    ).toBe('rfc2317');
  });

  it('refuses a zone outside its active assignments', () => {
    for (const zone of [
      '9.48.193.in-addr.arpa',
      '5.3.2.1.0.6.6.0.1.0.0.2.ip6.arpa',
      '7.48.193.in-addr.arpa',
    ]) {
      const e = refusal(() => validateDelegation({ zone, nameservers: NS }, zones));
      expect(e).toBeInstanceOf(PolicyRefusalError);
      expect(e).toMatchObject({ rule: 'rdns.zone-not-assigned', code: 'POLICY_REFUSAL' });
    }
  });

  it('one name server is a validation error', () => {
    const e = refusal(() => validateDelegation({ zone: Z48, nameservers: [NS[0]!] }, zones));
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).issues[0]!.path).toEqual(['nameservers']);
  });

  it('glue required in-domain, refused out of domain', () => {
    const missing = refusal(() =>
      validateDelegation({ zone: Z48, nameservers: [{ name: `ns.${Z48}` }, NS[1]!] }, zones),
    ) as ValidationError;
    expect(missing.issues[0]!.path).toEqual(['nameservers', 0, 'addresses']);
    const extra = refusal(() =>
      validateDelegation(
        { zone: Z48, nameservers: [{ name: 'ns1.univ.fr', addresses: ['192.0.2.1'] }, NS[1]!] },
        zones,
      ),
    ) as ValidationError;
    expect(extra).toBeInstanceOf(ValidationError);
    expect(extra.message).toMatch(/not allowed/);
  });

  it('duplicate names are refused', () => {
    expect(() => validateDelegation({ zone: Z48, nameservers: [NS[0]!, NS[0]!] }, zones)).toThrow(
      ValidationError,
    );
  });

  it('DS: SHA-1 refused, SHA-256 and SHA-384 accepted, digest length checked', () => {
    const e = refusal(() =>
      validateDelegation(
        {
          zone: Z48,
          nameservers: NS,
          ds: [{ keyTag: 1, algorithm: 13, digestType: 1, digest: 'a'.repeat(40) }],
        },
        zones,
      ),
    );
    expect(e).toMatchObject({ code: 'POLICY_REFUSAL', rule: 'rdns.ds-digest-type' });
    const ok = validateDelegation(
      {
        zone: Z48,
        nameservers: NS,
        ds: [
          { keyTag: 1, algorithm: 13, digestType: 2, digest: 'a'.repeat(64) },
          { keyTag: 1, algorithm: 14, digestType: 4, digest: 'b'.repeat(96) },
        ],
      },
      zones,
    );
    expect(ok.ds.map((d) => d.digestType)).toEqual([2, 4]);
    expect(() =>
      validateDelegation(
        {
          zone: Z48,
          nameservers: NS,
          ds: [{ keyTag: 1, algorithm: 13, digestType: 2, digest: 'a'.repeat(63) }],
        },
        zones,
      ),
    ).toThrow(ValidationError);
  });
});
