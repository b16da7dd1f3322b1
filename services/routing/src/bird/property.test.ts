import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CollectorConfigInput,
  checkBirdConfig,
  type RejectionCode,
  renderCollectorConfig,
} from './index.js';

/**
 * Random collectors: valid prefixes from public space, plus one refused case of each kind per
 * institution. Each case spawns `bird -p`, hence few runs.
 */

const v4 = fc
  .tuple(
    fc.integer({ min: 16, max: 24 }),
    fc.integer({ min: 0, max: 0xffff }),
    fc.integer({ min: 0, max: 8 }),
  )
  .map(([len, n, extra]) => {
    // Inside 130.0.0.0/8–139.0.0.0/8: public, no bogon.
    const addr = ((130 + (n % 10)) * 2 ** 24 + ((n * 4099) % 2 ** 24)) >>> 0;
    const net = addr - (addr % 2 ** (32 - len));
    const text = `${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}/${len}`;
    return { prefix: text, maxLength: Math.min(24, len + extra) };
  });

const v6 = fc
  .tuple(
    fc.integer({ min: 32, max: 48 }),
    fc.integer({ min: 0, max: 0xffff }),
    fc.integer({ min: 0, max: 16 }),
  )
  .map(([len, n, extra]) => {
    // 2a00:XXXX:YYYY::/len, aligned.
    const bits = (BigInt(n) << 16n) | BigInt((n * 7) & 0xffff);
    const keep = BigInt(len - 16);
    const v = (bits >> (32n - keep)) << (32n - keep);
    const g2 = Number(v >> 16n).toString(16);
    const g3 = Number(v & 0xffffn).toString(16);
    return { prefix: `2a00:${g2}:${g3}::/${len}`, maxLength: Math.min(48, len + extra) };
  });

const REFUSED: { prefix: string; maxLength?: number; code: RejectionCode }[] = [
  { prefix: '172.20.0.0/16', code: 'BOGON' },
  { prefix: 'fd00:1234::/32', code: 'BOGON' },
  { prefix: '140.10.0.0/16', maxLength: 12, code: 'MAX_LENGTH_BELOW_PREFIX' },
  { prefix: '2a01:4000::/32', maxLength: 28, code: 'MAX_LENGTH_BELOW_PREFIX' },
  { prefix: '140.20.0.0/16', maxLength: 40, code: 'MAX_LENGTH_BEYOND_LIMIT' },
  { prefix: '140.30.0.0/25', code: 'TOO_LONG' },
  { prefix: '::ffff:140.40.0.0/112', code: 'IPV4_IN_IPV6' },
];

const input = fc
  .uniqueArray(
    fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/),
      asn: fc.integer({ min: 64512, max: 65534 }),
      limit: fc.integer({ min: 1, max: 100_000 }),
      institutions: fc.array(
        fc.record({
          short: fc.stringMatching(/^[A-Z][A-Z0-9-]{1,10}$/),
          asn: fc.integer({ min: 1, max: 4_200_000_000 }),
          prefixes: fc.array(fc.oneof(v4, v6), { maxLength: 12 }),
          refused: fc.subarray(REFUSED),
        }),
        { maxLength: 3 },
      ),
    }),
    { minLength: 1, maxLength: 5, selector: (s) => s.name.toUpperCase() },
  )
  .map(
    (sessions): CollectorConfigInput => ({
      collector: { name: 'RC-Prop', routerId: '193.51.0.1', asn: 2200 },
      sessions: sessions.map((s, i) => ({
        name: s.name,
        peerAddress: `193.51.1.${i + 2}`,
        peerAsn: s.asn,
        importLimit: s.limit,
        institutions: s.institutions.map((inst) => ({
          shortName: inst.short,
          originAs: inst.asn,
          prefixes: [
            ...inst.prefixes,
            ...inst.refused.map(({ prefix, maxLength }) => ({ prefix, maxLength })),
          ],
        })),
      })),
    }),
  );

/** A deterministic shuffle of every list in the input. */
function permute(x: CollectorConfigInput, seed: number): CollectorConfigInput {
  let state = seed >>> 0 || 1;
  const rand = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const shuffle = <T>(xs: T[]): T[] => {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  };
  return {
    collector: x.collector,
    sessions: shuffle(x.sessions).map((s) => ({
      ...s,
      institutions: shuffle(s.institutions).map((i) => ({ ...i, prefixes: shuffle(i.prefixes) })),
    })),
  };
}

function setEntries(text: string): string[] {
  return [...text.matchAll(/^define S_\w+ = \[\n([\s\S]*?)^\];/gm)].flatMap((m) =>
    m[1]!
      .split('\n')
      .filter((l) => l.trim() && !l.trim().startsWith('#'))
      .map((l) => l.trim().replace(/,$/, '')),
  );
}

describe('renderCollectorConfig: properties', () => {
  it('random collectors pass bird -p, are permutation-invariant, and refuse each bad case', async () => {
    await fc.assert(
      fc.asyncProperty(input, fc.integer(), async (x, seed) => {
        const r = renderCollectorConfig(x);
        expect(renderCollectorConfig(permute(x, seed)).text).toBe(r.text);
        const check = await checkBirdConfig(r.text);
        expect(check.errors).toEqual([]);
        expect(check.ok).toBe(true);
        expect(r.text).not.toMatch(/\[\s*\]/);
        const entries = setEntries(r.text);
        for (const s of x.sessions) {
          for (const inst of s.institutions) {
            for (const bad of REFUSED) {
              if (!inst.prefixes.some((p) => p.prefix === bad.prefix)) continue;
              expect(r.rejected).toContainEqual(
                expect.objectContaining({
                  session: s.name,
                  institution: inst.shortName,
                  prefix: bad.prefix,
                  code: bad.code,
                }),
              );
            }
          }
        }
        for (const bad of REFUSED) {
          const canonical = bad.prefix.startsWith('::ffff') ? '::ffff:' : bad.prefix;
          expect(entries.some((e) => e.startsWith(canonical))).toBe(false);
        }
        // Every entry's range starts at its prefix length (never below it).
        for (const e of entries) {
          const m = /\/(\d+)(?:\{(\d+),(\d+)\})?$/.exec(e)!;
          if (m[2]) expect(Number(m[2])).toBe(Number(m[1]));
        }
      }),
      { numRuns: 25 },
    );
  });
});
