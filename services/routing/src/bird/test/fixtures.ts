import type { CollectorConfigInput } from '../types.js';

/**
 * Test inputs for the BIRD generator. Prefixes come from public space (193.48.0.0/12,
 * 2001:660::/32…): the documentation ranges are bogons and the generator refuses them.
 */

export const basic: CollectorConfigInput = {
  collector: { name: 'RC-Paris', routerId: '193.51.24.1', asn: 2200 },
  sessions: [
    {
      name: 'univ_paris',
      peerAddress: '193.51.24.2',
      peerAsn: 65001,
      importLimit: 100,
      localAddress: '193.51.24.1',
      institutions: [
        {
          shortName: 'UNIV-PARIS',
          originAs: 65001,
          prefixes: [
            { prefix: '193.48.0.0/22', maxLength: 24 },
            { prefix: '194.57.0.0/16' },
            { prefix: '2001:660:3000::/40', maxLength: 48 },
            { prefix: '2001:660:3100::/48' },
          ],
        },
      ],
    },
  ],
};

/** Empty lists: deny-all filters, and no `[]` (BIRD refuses an empty set literal). */
export const empty: CollectorConfigInput = {
  collector: { name: 'RC-Lille', routerId: '193.51.40.1', asn: 2200 },
  sessions: [
    { name: 'nothing', peerAddress: '193.51.40.2', peerAsn: 65010, importLimit: 10, institutions: [] },
    {
      name: 'no_prefix',
      peerAddress: '2001:660:4000::2',
      peerAsn: 65011,
      importLimit: 10,
      institutions: [{ shortName: 'LAB-NORD', originAs: 65011, prefixes: [] }],
    },
    {
      // Everything refused: the session ends up as empty as the others.
      name: 'all_refused',
      peerAddress: '193.51.40.3',
      peerAsn: 65012,
      importLimit: 10,
      institutions: [
        {
          shortName: 'ECOLE-X',
          originAs: 65012,
          prefixes: [{ prefix: '10.0.0.0/8' }, { prefix: '2001:db8::/32' }, { prefix: '193.49.0.0/25' }],
        },
      ],
    },
    {
      name: 'v6_only',
      peerAddress: '2001:660:4000::4',
      peerAsn: 65013,
      importLimit: 20,
      export: 'all',
      institutions: [{ shortName: 'LAB-V6', originAs: 65013, prefixes: [{ prefix: '2001:660:4400::/44' }] }],
    },
  ],
};

/** Several sessions and institutions, shared origins, maxLength ranges, and refused prefixes. */
export const multi: CollectorConfigInput = {
  collector: { name: 'RC-Lyon', routerId: '193.51.60.1', asn: 2200, keepFiltered: true },
  sessions: [
    {
      name: 'campus_lyon',
      peerAddress: '193.51.60.10',
      peerAsn: 65020,
      importLimit: 500,
      localAddress: '193.51.60.1',
      localAsn: 2201,
      institutions: [
        {
          shortName: 'UNIV-LYON1',
          originAs: 65020,
          prefixes: [
            { prefix: '134.214.0.0/16', maxLength: 20 },
            { prefix: '2001:660:5001::/48' },
            { prefix: '134.214.0.0/16', maxLength: 20 }, // duplicate: merged
            { prefix: '192.168.10.0/24' }, // bogon
            { prefix: '134.215.0.0/16', maxLength: 12 }, // below the prefix length
            { prefix: '2001:660:5002::/48', maxLength: 64 }, // beyond /48
            { prefix: '134.216.0.0/16', maxLength: 33 }, // beyond 32
            { prefix: '::ffff:134.214.1.0/120' }, // IPv4 in an IPv6 set
          ],
        },
        {
          shortName: 'INSA-LYON',
          originAs: 65021,
          prefixes: [
            { prefix: '195.220.0.0/18', maxLength: 24 },
            { prefix: '134.214.0.0/16' }, // UNIV-LYON1 already has it? no: INSA sorts first
          ],
        },
      ],
    },
    {
      name: 'cnrs_rhone',
      peerAddress: '2001:660:5000::20',
      peerAsn: 65030,
      importLimit: 50,
      multihop: 2,
      institutions: [
        {
          shortName: 'CNRS-RA',
          originAs: 65030,
          prefixes: [
            { prefix: '147.173.0.0/16' },
            { prefix: '2001:660:5100::/40', maxLength: 44 },
            { prefix: '100.64.0.0/10' }, // shared address space
            { prefix: '147.174.0.1/16' }, // host bits
          ],
        },
      ],
    },
  ],
};

/** Many sessions, each with a block of IPv4 and IPv6 prefixes. */
export function many(sessions: number, v4PerSession: number, v6PerSession: number): CollectorConfigInput {
  let v4 = 0;
  let v6 = 0;
  const list: CollectorConfigInput['sessions'] = [];
  for (let s = 0; s < sessions; s++) {
    const prefixes: { prefix: string; maxLength?: number }[] = [];
    for (let i = 0; i < v4PerSession; i++, v4++) {
      // /24s from 128.0.0.0 upwards (public space, clear of the bogons up to 169.254/16).
      const n = 0x80000000 + v4 * 256;
      prefixes.push({
        prefix: `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.0/24`,
      });
    }
    for (let i = 0; i < v6PerSession; i++, v6++) {
      // /44s (with more-specifics up to /48) from 2a00::/12.
      const n = BigInt(v6) << 84n;
      const x = (0x2a00n << 112n) + n;
      const hex = x.toString(16).padStart(32, '0');
      const groups = (hex.match(/.{4}/g) ?? []).slice(0, 3).map((g) => g.replace(/^0+(?=.)/, ''));
      prefixes.push({ prefix: `${groups.join(':')}::/44`, maxLength: 48 });
    }
    list.push({
      name: `s${String(s).padStart(4, '0')}`,
      peerAddress: `193.51.${Math.floor(s / 250)}.${(s % 250) + 2}`,
      peerAsn: 64600 + s,
      importLimit: v4PerSession + v6PerSession * 16 + 10,
      institutions: [{ shortName: `INST-${s}`, originAs: 64600 + s, prefixes }],
    });
  }
  return { collector: { name: 'RC-Bench', routerId: '193.51.255.1', asn: 2200 }, sessions: list };
}
