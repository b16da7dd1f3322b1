import { PolicyRefusalError, ValidationError } from '@guichet/core';
import { luhnComplete } from '@guichet/membership';
import { describe, expect, it } from 'vitest';
import {
  checkContactCounts,
  checkDs,
  checkHolder,
  checkNameServers,
  checkPeriod,
  registryVerdict,
} from './rules.js';

const siren = luhnComplete('18008901');
const holder = { name: 'Université', legalStatus: 'other' as const, siren, country: 'fr', city: 'Paris' };
const rule = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof PolicyRefusalError) return e.rule;
    if (e instanceof ValidationError) return `validation:${e.issues[0]?.path.join('.')}`;
    throw e;
  }
  return 'passed';
};

describe('eligibility of the holder', () => {
  it('takes a French legal entity with a valid SIREN or SIRET', () => {
    expect(checkHolder(holder).country).toBe('FR');
    expect(rule(() => checkHolder({ ...holder, siren: luhnComplete(`${siren}0000`) }))).toBe('passed');
    expect(rule(() => checkHolder({ ...holder, siren: '123456789' }))).toBe('validation:input.holder.siren');
    expect(rule(() => checkHolder({ ...holder, siren: undefined }))).toBe('eligibility.identifier');
    expect(
      rule(() =>
        checkHolder({ ...holder, siren: undefined, legalStatus: 'association', waldec: 'W751234567' }),
      ),
    ).toBe('passed');
  });

  it('takes the EEA and Switzerland only, identified by VAT outside France', () => {
    expect(rule(() => checkHolder({ ...holder, siren: undefined, country: 'DE', vat: 'DE123456789' }))).toBe(
      'passed',
    );
    expect(rule(() => checkHolder({ ...holder, siren: undefined, country: 'CH' }))).toBe(
      'eligibility.identifier',
    );
    expect(rule(() => checkHolder({ ...holder, country: 'US' }))).toBe('eligibility.country');
    expect(rule(() => checkHolder({ ...holder, country: 'GB' }))).toBe('eligibility.country');
  });
});

describe('contacts, name servers, DS, period', () => {
  it('wants exactly one admin and one to three techs', () => {
    expect(rule(() => checkContactCounts(['a'], ['t']))).toBe('passed');
    expect(rule(() => checkContactCounts([], ['t']))).toBe('validation:input.adminContactId');
    expect(rule(() => checkContactCounts(['a'], []))).toBe('validation:input.techContactIds');
    expect(rule(() => checkContactCounts(['a'], ['1', '2', '3', '4']))).toBe(
      'validation:input.techContactIds',
    );
  });

  it('wants two name servers, glue inside the name only', () => {
    const ok = checkNameServers('univ.fr', [
      { name: 'NS1.univ.fr.', addresses: ['192.0.2.1', '2001:DB8::1'] },
      { name: 'ns.example.net' },
    ]);
    expect(ok).toEqual([
      { name: 'ns1.univ.fr', addresses: ['192.0.2.1', '2001:db8::1'] },
      { name: 'ns.example.net', addresses: [] },
    ]);
    expect(rule(() => checkNameServers('univ.fr', [{ name: 'ns.example.net' }]))).toBe(
      'validation:input.nameservers',
    );
    expect(
      rule(() => checkNameServers('univ.fr', [{ name: 'ns1.univ.fr' }, { name: 'ns.example.net' }])),
    ).toBe('validation:input.nameservers.0.addresses');
    expect(
      rule(() =>
        checkNameServers('univ.fr', [
          { name: 'a.example.net', addresses: ['192.0.2.1'] },
          { name: 'b.example.net' },
        ]),
      ),
    ).toBe('validation:input.nameservers.0.addresses');
    expect(
      rule(() => checkNameServers('univ.fr', [{ name: 'a.example.net' }, { name: 'A.example.net' }])),
    ).toBe('validation:input.nameservers.1.name');
  });

  it('takes DS digest types 2 and 4 only, and 1–10 years', () => {
    expect(checkDs([{ keyTag: 1, algorithm: 13, digestType: 2, digest: 'ab'.repeat(32) }])[0]?.digest).toBe(
      'AB'.repeat(32),
    );
    expect(rule(() => checkDs([{ keyTag: 1, algorithm: 13, digestType: 1, digest: 'ab'.repeat(20) }]))).toBe(
      'domains.ds-digest-type',
    );
    expect(rule(() => checkDs([{ keyTag: 1, algorithm: 13, digestType: 4, digest: 'ab'.repeat(32) }]))).toBe(
      'validation:input.ds.0.digest',
    );
    expect(rule(() => checkPeriod(11))).toBe('validation:input.periodYears');
  });

  it('reads the registry check: forbidden and taken refused, reserved to prior review', () => {
    expect(registryVerdict({ name: 'a.fr', avail: true, reserved: false, forbidden: false })).toEqual({
      verdict: 'available',
    });
    expect(
      registryVerdict({
        name: 'paris.fr',
        avail: false,
        reserved: true,
        forbidden: false,
        rsvReason: 'City name',
      }),
    ).toEqual({
      verdict: 'prior-review',
      reason: 'City name',
    });
    expect(
      rule(() => registryVerdict({ name: 'x.fr', avail: false, reserved: false, forbidden: true })),
    ).toBe('registry.forbidden');
    expect(
      rule(() => registryVerdict({ name: 'x.fr', avail: false, reserved: false, forbidden: false })),
    ).toBe('registry.taken');
  });
});
