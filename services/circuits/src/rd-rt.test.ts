import { describe, expect, it } from 'vitest';
import {
  birdRt,
  formatRdRt,
  MAX_TEXT_LENGTH,
  parseRdRt,
  type RdRtCode,
  RdRtError,
  type RdRtKind,
  type RdType,
  typeForAdministrator,
} from './rd-rt.js';

type Ok = { text: string; type: RdType; warn?: boolean };
type Case = [kind: RdRtKind, input: string, expected: Ok | RdRtCode];

// Text in, canonical value or error code out (reference circuits-routing.md §1–2).
const PARSE: Case[] = [
  // Type 0: 2-byte ASN, 4-byte number.
  ['RD', '2200:1', { text: '2200:1', type: 0 }],
  ['RD', '2200:0', { text: '2200:0', type: 0 }],
  ['RD', '1:4294967295', { text: '1:4294967295', type: 0 }],
  ['RD', '65534:4294967295', { text: '65534:4294967295', type: 0, warn: true }],
  ['RD', '65000:1', { text: '65000:1', type: 0, warn: true }],
  ['RD', '2200:4294967296', 'NUMBER_RANGE'],
  ['RD', '0:1', 'ASN_RESERVED'],
  ['RD', '23456:1', 'ASN_RESERVED'],
  ['RD', '65535:1', 'ASN_RESERVED'],
  // Type 2: 4-byte ASN, 2-byte number.
  ['RD', '65536:1', { text: '65536:1', type: 2 }],
  ['RD', '4200000000:65535', { text: '4200000000:65535', type: 2, warn: true }],
  ['RD', '4294967294:7', { text: '4294967294:7', type: 2, warn: true }],
  ['RD', '65536:65536', 'NUMBER_RANGE'],
  ['RD', '4294967295:1', 'ASN_RESERVED'],
  ['RD', '4294967296:1', 'ASN_RANGE'],
  ['RD', '2200L:5', { text: '2200L:5', type: 2 }],
  ['RD', '2200L:65536', 'NUMBER_RANGE'],
  ['RD', '1.10:3', { text: '65546:3', type: 2 }],
  ['RD', '65536.0:3', 'ASN_RANGE'],
  // Type 1: IPv4, 2-byte number.
  ['RD', '193.51.24.1:7', { text: '193.51.24.1:7', type: 1 }],
  ['RD', '223.255.255.255:65535', { text: '223.255.255.255:65535', type: 1 }],
  ['RD', '10.0.0.1:1', { text: '10.0.0.1:1', type: 1, warn: true }],
  ['RD', '172.16.0.1:1', { text: '172.16.0.1:1', type: 1, warn: true }],
  ['RD', '172.32.0.1:1', { text: '172.32.0.1:1', type: 1 }],
  ['RD', '192.168.1.1:1', { text: '192.168.1.1:1', type: 1, warn: true }],
  ['RD', '193.51.24.1:65536', 'NUMBER_RANGE'],
  ['RD', '193.51.24.256:1', 'IPV4_INVALID'],
  ['RD', '193.051.24.1:1', 'IPV4_INVALID'],
  ['RD', '0.0.0.0:1', 'IPV4_NOT_UNICAST'],
  ['RD', '224.0.0.1:1', 'IPV4_NOT_UNICAST'],
  ['RD', '255.255.255.255:65535', 'IPV4_NOT_UNICAST'],
  // Syntax.
  ['RD', '', 'SYNTAX'],
  ['RD', '2200', 'SYNTAX'],
  ['RD', '2200:', 'SYNTAX'],
  ['RD', ':1', 'SYNTAX'],
  ['RD', '2200:1:2', 'SYNTAX'],
  ['RD', '02200:1', 'SYNTAX'],
  ['RD', '2200:01', 'SYNTAX'],
  ['RD', '2200: 1', 'SYNTAX'],
  ['RD', '-1:1', 'SYNTAX'],
  ['RD', 'AS2200:1', 'SYNTAX'],
  ['RD', '1.2.3:4', 'SYNTAX'],
  ['RD', '0x898:1', 'SYNTAX'],
  // Route targets: same layouts, and BIRD/Junos's `target:` prefix.
  ['RT', '2200:100', { text: '2200:100', type: 0 }],
  ['RT', 'target:2200:100', { text: '2200:100', type: 0 }],
  ['RT', 'target:193.51.24.1:9', { text: '193.51.24.1:9', type: 1 }],
  ['RT', '4200000001:9', { text: '4200000001:9', type: 2, warn: true }],
  ['RT', '4200000001:70000', 'NUMBER_RANGE'],
  ['RD', 'target:2200:100', 'SYNTAX'],
];

describe('parseRdRt', () => {
  it.each(PARSE)('%s %j', (kind, input, expected) => {
    if (typeof expected === 'string') {
      let err: unknown;
      try {
        parseRdRt(kind, input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RdRtError);
      expect((err as RdRtError).code).toBe(expected);
      expect((err as RdRtError).kind).toBe(kind);
      return;
    }
    const v = parseRdRt(kind, input);
    expect({ text: v.text, type: v.type, warn: v.warnings.length > 0 }).toEqual({
      warn: false,
      ...expected,
    });
    expect(v.text.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
    // The canonical text reads back as itself, with the same type.
    const again = parseRdRt(kind, v.text);
    expect([again.text, again.type]).toEqual([v.text, v.type]);
  });
  it('has at least 30 cases', () => expect(PARSE.length).toBeGreaterThanOrEqual(30));
});

const FORMAT: [type: RdType, admin: string, n: number, expected: string | RdRtCode][] = [
  [0, '2200', 1001, '2200:1001'],
  [0, '2200', 4294967295, '2200:4294967295'],
  [0, '70000', 1, 'TYPE0_FOUR_BYTE_ASN'],
  [0, '2200', -1, 'NUMBER_RANGE'],
  [0, '2200', 1.5, 'NUMBER_RANGE'],
  [1, '193.51.24.1', 65535, '193.51.24.1:65535'],
  [1, '193.51.24.1', 65536, 'NUMBER_RANGE'],
  [1, '2200', 1, 'IPV4_INVALID'],
  [2, '70000', 65535, '70000:65535'],
  [2, '2200', 3, '2200L:3'],
  [2, '70000', 65536, 'NUMBER_RANGE'],
  [3 as RdType, '2200', 1, 'TYPE_UNSUPPORTED'],
];

describe('formatRdRt (allocation)', () => {
  it.each(FORMAT)('type %i %s:%i', (type, admin, n, expected) => {
    if (/^[A-Z0-9_]+$/.test(expected) && !expected.includes(':')) {
      expect(() => formatRdRt('RD', type, admin, n)).toThrow(
        expect.objectContaining({ code: expected }) as unknown as Error,
      );
    } else {
      expect(formatRdRt('RD', type, admin, n).text).toBe(expected);
    }
  });
});

describe('helpers', () => {
  it('picks the type an administrator implies', () => {
    expect([
      typeForAdministrator('2200'),
      typeForAdministrator('193.51.24.1'),
      typeForAdministrator('65536'),
    ]).toEqual([0, 1, 2]);
  });
  it('writes BIRD extended-community literals', () => {
    expect(birdRt(parseRdRt('RT', '2200:100'))).toBe('(rt, 2200, 100)');
    expect(birdRt(parseRdRt('RT', '193.51.24.1:9'))).toBe('(rt, 193.51.24.1, 9)');
  });
});
