import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COUNTRY_BOUNDS,
  coverageOf,
  coversRealm,
  formatPoint,
  inBoxes,
  nextProbeState,
  normaliseRealm,
  realmKey,
  skeletonOf,
  subrealmRegex,
} from './model.js';

const inRange = (key: string, c: ReturnType<typeof coverageOf>) =>
  key >= c.lower && (c.upperInclusive ? key <= c.upper : key < c.upper);

describe('realms', () => {
  it('are stored lower case, without the trailing dot, and refuse what is not a domain', () => {
    expect(normaliseRealm(' Univ-A.Example. ')).toBe('univ-a.example');
    expect(normaliseRealm('xn--univ-lon-b4a.fr')).toBe('xn--univ-lon-b4a.fr');
    for (const bad of [
      'univ_a.example',
      'localhost',
      'a@b.example',
      '-a.example',
      'a-.example',
      'a..b',
      'a.b.123',
      'ab--c.example',
      'a b.example',
    ]) {
      expect(normaliseRealm(bad), bad).toBeUndefined();
    }
  });

  it('cover themselves, and with subrealms every name under them — never a look-alike sibling', () => {
    const withSubs = coverageOf(realmKey('univ-a.example'), true);
    const exact = coverageOf(realmKey('univ-a.example'), false);
    expect(inRange(realmKey('univ-a.example'), withSubs)).toBe(true);
    expect(inRange(realmKey('staff.univ-a.example'), withSubs)).toBe(true);
    expect(inRange(realmKey('staff.univ-a.example'), exact)).toBe(false);
    for (const other of ['evil-univ-a.example', 'univ-ab.example', 'univ-a.examples', 'univ-a.exampl']) {
      expect(inRange(realmKey(other), withSubs), other).toBe(false);
      expect(coversRealm({ realm: 'univ-a.example', subrealms: true }, other)).toBe(false);
    }
  });

  it('range containment agrees with the domain-suffix relation (property)', () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/);
    const realm = fc.array(label, { minLength: 2, maxLength: 4 }).map((l) => l.join('.'));
    fc.assert(
      fc.property(realm, realm, fc.boolean(), (a, b, subs) => {
        const covered = inRange(realmKey(b), coverageOf(realmKey(a), subs));
        expect(covered).toBe(coversRealm({ realm: a, subrealms: subs }, b));
      }),
      { numRuns: 2000 },
    );
  });

  it('have skeletons that catch look-alikes and keep numbered universities apart', () => {
    const s = skeletonOf('univ-a.example');
    expect(skeletonOf('univ-a.examp1e')).toBe(s);
    expect(skeletonOf('univ-a.exarnple')).toBe(s);
    expect(skeletonOf('univa.example')).toBe(s);
    // Cyrillic "а" in IDNA form.
    expect(skeletonOf(new URL('http://univ-а.example').hostname)).toBe(s);
    expect(skeletonOf('univ-lyon1.fr')).not.toBe(skeletonOf('univ-lyon2.fr'));
  });

  it('give FreeRADIUS an anchored subrealm regex with single backslashes', () => {
    expect(subrealmRegex('univ-a.example')).toBe('^([a-z0-9-]+\\.)+univ-a\\.example$');
    const re = new RegExp(subrealmRegex('univ-a.example'), 'i');
    expect(re.test('staff.univ-a.example')).toBe(true);
    expect(re.test('SUB.UNIV-A.EXAMPLE')).toBe(true);
    expect(re.test('univ-a.example')).toBe(false);
    expect(re.test('evil-univ-a.example')).toBe(false);
    expect(re.test('univ-a.example.evil')).toBe(false);
  });
});

describe('coordinates', () => {
  it('are longitude first, and France includes its overseas universities', () => {
    expect(formatPoint({ lon: 4.8357, lat: 45.764 })).toBe('4.8357,45.764');
    const fr = COUNTRY_BOUNDS.FR!;
    expect(inBoxes({ lon: 4.8357, lat: 45.764 }, fr)).toBe(true); // Lyon
    expect(inBoxes({ lon: 55.48, lat: -21.11 }, fr)).toBe(true); // Saint-Denis, La Réunion
    expect(inBoxes({ lon: 45.764, lat: 4.8357 }, fr)).toBe(false); // swapped: off Somalia
    expect(inBoxes({ lon: 13.4, lat: 52.5 }, fr)).toBe(false); // Berlin
  });
});

describe('probe state', () => {
  it('goes down at the third failure in a row, and comes back at the first answer', () => {
    let s = { state: 'up' as const as 'up' | 'down' | 'unknown', consecutiveFailures: 0 };
    const seen: string[] = [];
    for (const ok of [false, false, true, false, false, false, false, true]) {
      const n = nextProbeState(s, ok);
      seen.push(`${n.state}${n.turnedDown ? '!' : ''}${n.recovered ? '+' : ''}`);
      s = n;
    }
    expect(seen).toEqual(['up', 'up', 'up', 'up', 'up', 'down!', 'down', 'up+']);
  });
});
