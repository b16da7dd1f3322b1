import { describe, expect, it } from 'vitest';
import { checkCharter, IDN_LETTERS } from './charter.js';

const rules = (name: string) => {
  const r = checkCharter(name);
  return r.ok ? [] : r.violations.map((v) => v.rule);
};
const ok = (name: string) => {
  const r = checkCharter(name);
  if (!r.ok) throw new Error(`${name}: ${r.violations.map((v) => v.message).join('; ')}`);
  return r.name;
};

describe('the .fr naming charter', () => {
  it('gives both forms of an IDN, from either form, in any case', () => {
    expect(ok('école.fr')).toMatchObject({ aName: 'xn--cole-9oa.fr', uName: 'école.fr', idn: true });
    expect(ok('XN--COLE-9OA.FR.')).toMatchObject({ aName: 'xn--cole-9oa.fr', uName: 'école.fr' });
    expect(ok('École.fr').aName).toBe('xn--cole-9oa.fr');
    expect(ok('univ-exemple.prd.fr')).toMatchObject({ zone: 'prd.fr', aLabel: 'univ-exemple', idn: false });
  });

  it('accepts each of the 30 letters, and ß stays ß (non-transitional UTS #46)', () => {
    expect([...IDN_LETTERS]).toHaveLength(30);
    for (const c of IDN_LETTERS) expect(ok(`lab${c}o.fr`).uLabel).toBe(`lab${c}o`);
    expect(ok('straße.fr').aName).toBe('xn--strae-oqa.fr');
  });

  it('allows 1- and 2-character names and 63 octets', () => {
    expect(ok('x.fr').aName).toBe('x.fr');
    expect(ok('42.fr').aName).toBe('42.fr');
    expect(ok(`${'a'.repeat(63)}.fr`).aLabel).toHaveLength(63);
  });

  it('refuses the done-when names, each with its rule', () => {
    expect(rules('-abc.fr')).toEqual(['charter.hyphen-edge']);
    expect(rules('abc-.fr')).toEqual(['charter.hyphen-edge']);
    expect(rules('ab--cd.fr')).toEqual(['charter.hyphen-34']);
    expect(rules(`${'a'.repeat(64)}.fr`)).toEqual(['charter.length']);
    expect(rules('ab_c.fr')).toEqual(['charter.characters']);
  });

  it('counts the length on the A-label: 60 letters with accents exceed 63 octets', () => {
    const name = `${'é'.repeat(10)}${'a'.repeat(50)}.fr`;
    expect(rules(name)).toEqual(['charter.length']);
  });

  it('refuses letters outside the 30, invalid A-labels and other zones', () => {
    expect(rules('ğumüş.fr')).toEqual(['charter.characters']);
    expect(rules('xn--80ak6aa92e.fr')).toEqual(['charter.characters']); // Cyrillic
    expect(rules('xn--abc.fr')).toEqual(['charter.uts46']);
    expect(rules('xn--cole-9oa-.fr')).toEqual(['charter.uts46']); // not valid Punycode
    expect(rules('exemple.com')).toEqual(['charter.zone']);
    expect(rules('a.b.fr')).toEqual(['charter.zone']);
    expect(rules('fr')).toEqual(['charter.zone']);
    expect(rules('  ')).toEqual(['charter.empty']);
    expect(rules('a b.fr')).toEqual(['charter.characters']);
  });

  it('every accepted name round-trips through its A-label', () => {
    for (const n of ['café.fr', 'noël.prd.fr', 'cœur.fr', 'ÿ.fr', 'zß9-a.fr']) {
      const a = ok(n);
      expect(ok(a.aName)).toEqual(a);
    }
  });
});
