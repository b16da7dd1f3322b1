import { BOGONS_V4, BOGONS_V6 } from '@guichet/net';

/**
 * The bogon list lives in `@guichet/net` (ipam refuses the same space in its pools); the
 * generator refuses any prefix overlapping one of them, and every import filter rejects them
 * first (the same list, rendered as `BOGONS_V4` / `BOGONS_V6`), so a hand-edited set cannot let
 * one through either.
 */
export { BOGONS_V4, BOGONS_V6, type Bogon, bogonOverlapping } from '@guichet/net';

/**
 * BIRD prefix-set entries: each bogon with all its more-specifics, plus every prefix of the
 * all-zero address (`0.0.0.0/32-`: the default route and anything covering 0.0.0.0/8), as
 * IXP Manager's martian list does.
 */
export function bogonSetEntries(family: 4 | 6): string[] {
  const list = family === 4 ? BOGONS_V4 : BOGONS_V6;
  return [family === 4 ? '0.0.0.0/32-' : '::/128-', ...list.map((b) => `${b.prefix}+`)];
}
