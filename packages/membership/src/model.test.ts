import { ValidationError } from '@guichet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInstitutionSchema } from './inputs.js';
import {
  type AgreementDocument,
  isValidSiren,
  isValidSiret,
  luhnComplete,
  normaliseEppn,
  normalisePhone,
  parseInput,
  renderAgreement,
  renderAndHash,
  sha256Hex,
} from './model.js';

const digits = (n: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));

describe('SIREN and SIRET', () => {
  it('accepts SIRENs whose Luhn sum is a multiple of 10 and refuses others', () => {
    expect(isValidSiren('732829320')).toBe(true);
    expect(isValidSiren('732829321')).toBe(false);
    expect(isValidSiren('73282932')).toBe(false);
    expect(isValidSiren('73282932a')).toBe(false);
  });

  it('refuses a valid SIREN with any single digit changed (property)', () => {
    fc.assert(
      fc.property(
        digits(8),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 1, max: 9 }),
        (prefix, pos, delta) => {
          const siren = luhnComplete(prefix);
          expect(isValidSiren(siren)).toBe(true);
          const changed = (Number(siren[pos]) + delta) % 10;
          const typo = `${siren.slice(0, pos)}${changed}${siren.slice(pos + 1)}`;
          expect(isValidSiren(typo)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('checks the SIRET with Luhn over its 14 digits', () => {
    const siret = luhnComplete('7328293200001');
    expect(isValidSiret(siret)).toBe(true);
    expect(isValidSiret(`${siret.slice(0, 13)}${(Number(siret[13]) + 1) % 10}`)).toBe(false);
  });

  it('checks La Poste SIRETs (SIREN 356000000) by their digit sum, and accepts its head office', () => {
    expect(isValidSiret('35600000049837')).toBe(true); // digit sum 45
    expect(isValidSiret('35600000049838')).toBe(false); // 46, and not Luhn either
    expect(isValidSiret('35600000000048')).toBe(true); // head office: passes Luhn
  });
});

describe('input schemas', () => {
  const valid = {
    name: 'Université Example',
    shortName: 'UEX',
    kind: 'tutelle',
    siren: luhnComplete('19691774'),
    collector: 'Collecte Example',
    mainSite: { name: 'Campus', address: '1 rue A', city: 'Lyon' },
    secondarySites: [{ name: 'Annexe', address: '2 rue B', city: 'Bron' }],
    agreement: { conventionRef: 'C1', charterRef: 'CH1', bandwidthMbps: 100, services: ['ipam'] },
  };
  const issues = (input: unknown) => {
    try {
      parseInput(createInstitutionSchema, input);
      return [];
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      return (e as ValidationError).issues;
    }
  };

  it('accepts a valid institution, with spaces in the SIREN', () => {
    const siren = valid.siren;
    const spaced = `${siren.slice(0, 3)} ${siren.slice(3, 6)} ${siren.slice(6)}`;
    expect(parseInput(createInstitutionSchema, { ...valid, siren: spaced }).siren).toBe(siren);
  });

  it('names the field of each problem under input', () => {
    expect(issues({ ...valid, agreement: { ...valid.agreement, bandwidthMbps: -5 } })).toEqual([
      { path: ['input', 'agreement', 'bandwidthMbps'], message: expect.stringMatching(/positive/) },
    ]);
    expect(issues({ ...valid, siren: '123456789' })[0]?.path).toEqual(['input', 'siren']);
    expect(issues({ ...valid, siret: `${valid.siren}00000` })[0]?.path).toEqual(['input', 'siret']);
    expect(
      issues({
        ...valid,
        secondarySites: [valid.secondarySites[0], { name: 'X', address: '', city: 'Y' }],
      })[0]?.path,
    ).toEqual(['input', 'secondarySites', 1, 'address']);
  });

  it('refuses a SIRET that does not start with the SIREN', () => {
    const other = luhnComplete(`${luhnComplete('78435126')}0001`);
    expect(issues({ ...valid, siret: other })).toEqual([
      { path: ['input', 'siret'], message: expect.stringMatching(/does not start with the SIREN/) },
    ]);
  });

  it('refuses two sites with the same name (case-insensitive)', () => {
    expect(
      issues({ ...valid, secondarySites: [{ name: 'CAMPUS', address: 'a', city: 'b' }] })[0]?.path,
    ).toEqual(['input', 'secondarySites', 0, 'name']);
  });
});

describe('phones and identities', () => {
  it.each([
    ['+33 1 23 45 67 89', '+33123456789'],
    ['01.23.45.67.89', '+33123456789'],
    ['0033 4 72 00 00 00', '+33472000000'],
    ['+1 (212) 555-0100', '+12125550100'],
  ])('normalises %s to %s', (input, want) => {
    expect(normalisePhone(input)).toBe(want);
  });
  it.each(['x', '12', '+0123456789', '01 23 45'])('refuses %s', (input) => {
    expect(normalisePhone(input)).toBeUndefined();
  });
  it('lower-cases an eppn and refuses one without a scope', () => {
    expect(normaliseEppn(' JDupont@Univ-Example.FR ')).toBe('jdupont@univ-example.fr');
    expect(normaliseEppn('jdupont')).toBeUndefined();
  });
});

describe('agreement document', () => {
  const doc: AgreementDocument = {
    institution: { name: 'Université Example', siren: '732829320' },
    version: 2,
    conventionRef: 'CONV-2024',
    charterRef: 'CHARTE-2024',
    securityContact: { name: 'Sophie Petit', email: 'rssi@univ-example.fr' },
    bandwidthMbps: 1000,
    secondarySites: [
      { name: 'Observatoire', address: '1 route du Pic', city: 'Bagnères' },
      { name: 'Annexe', address: '2 rue B', city: 'Bron' },
      { name: 'Zoo', address: '3 rue C', city: 'Lyon' },
    ],
    services: ['ipam', 'eduroam', 'federation'],
  };

  it('states every section, sites and services sorted', () => {
    const text = renderAgreement(doc);
    expect(text).toContain('Institution: Université Example\nSIREN: 732829320\nVersion: 2');
    expect(text).toContain('Security contact: Sophie Petit <rssi@univ-example.fr>');
    expect(text).toContain('Committed bandwidth: 1000 Mbit/s');
    expect(text).toMatch(/- Annexe; 2 rue B; Bron\n.*- Observatoire;.*\n.*- Zoo;/);
    expect(text).toMatch(/- eduroam\n.*- federation\n.*- ipam\n/);
  });

  it('is stable under any permutation of sites and services (property)', () => {
    const reference = renderAndHash(doc).hash;
    fc.assert(
      fc.property(
        fc.shuffledSubarray(doc.secondarySites, { minLength: 3, maxLength: 3 }),
        fc.shuffledSubarray(doc.services, { minLength: 3, maxLength: 3 }),
        (secondarySites, services) => {
          expect(renderAndHash({ ...doc, secondarySites, services }).hash).toBe(reference);
        },
      ),
    );
  });

  it('changes its hash when any fact changes', () => {
    const h = renderAndHash(doc).hash;
    expect(renderAndHash({ ...doc, bandwidthMbps: 1001 }).hash).not.toBe(h);
    expect(renderAndHash({ ...doc, securityContact: null }).hash).not.toBe(h);
    expect(renderAndHash({ ...doc, services: ['ipam'] }).hash).not.toBe(h);
    expect(renderAndHash({ ...doc, version: 3 }).hash).not.toBe(h);
  });

  it('keeps one value per line: a newline in a field cannot forge a line', () => {
    const text = renderAgreement({
      ...doc,
      secondarySites: [{ name: 'A\nCommitted bandwidth: 1 Mbit/s', address: 'x', city: 'y' }],
    });
    expect(text.match(/Committed bandwidth/g)).toHaveLength(2);
    expect(text).toContain('- A Committed bandwidth: 1 Mbit/s; x; y');
  });

  it('hashes with SHA-256 over UTF-8', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(renderAndHash(doc).hash).toBe(sha256Hex(renderAgreement(doc)));
  });
});
