import { describe, expect, it } from 'vitest';
import { BOGONS_V4, BOGONS_V6, bogonOf } from './bogons.js';

describe('bogons', () => {
  it.each([
    ['10.20.0.0/16', '10.0.0.0/8', 'private use (RFC 1918)'],
    ['192.0.2.0/24', '192.0.2.0/24', 'documentation TEST-NET-1 (RFC 5737)'],
    ['2001:db8:1::/48', '2001:db8::/32', 'documentation (RFC 3849)'],
    ['3fff:100::/32', '3fff::/20', 'documentation (RFC 9637)'],
    ['fd00::/8', 'fc00::/7', 'unique local (RFC 4193)'],
    // Covering one counts too: a default route, an aggregate over private space.
    ['0.0.0.0/0', '0.0.0.0/8', '"this network" (RFC 1122)'],
    ['192.0.0.0/16', '192.0.0.0/24', 'IETF protocol assignments (RFC 6890)'],
  ])('%s overlaps %s', (prefix, bogon, why) => {
    expect(bogonOf(prefix)).toEqual({ prefix: bogon, why });
  });

  it.each(['2001:660::/32', '193.48.0.0/16', '130.79.0.0/16', '2a00:1450::/32'])('%s is public', (p) => {
    expect(bogonOf(p)).toBeUndefined();
  });

  it('lists each family once per entry, every entry a valid prefix of its family', () => {
    for (const b of BOGONS_V4) expect(b.prefix).not.toContain(':');
    for (const b of BOGONS_V6) expect(b.prefix).toContain(':');
    expect(new Set([...BOGONS_V4, ...BOGONS_V6].map((b) => b.prefix)).size).toBe(
      BOGONS_V4.length + BOGONS_V6.length,
    );
  });
});
