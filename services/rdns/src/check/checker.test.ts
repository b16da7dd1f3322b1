import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Knot, startKnot } from '@guichet/testkit';
import * as packet from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blocks, checkDelegation, type DsInput, type Endpoint, type Finding } from './index.js';

/**
 * Peers test (reference/peers.md §2): Knot instances on 127.0.0.2–127.0.0.6 serve the reverse zone
 * 2.0.192.in-addr.arpa — two good servers, one with another SOA serial, one with another NS set,
 * one without the zone (lame). The DS expected for the zone's DNSKEY comes from BIND's
 * `dnssec-dsfromkey`, not from our own code.
 */

const ZONE = '2.0.192.in-addr.arpa';
const NS1 = 'ns1.univ-example.fr';
const NS2 = 'ns2.univ-example.fr';
const key = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!;
const DNSKEY = `@ IN DNSKEY 257 3 15 ${Buffer.from(key, 'base64url').toString('base64')}`;

function zoneText({ serial = 2024010101, ns = [NS1, NS2], extra = [] as string[] } = {}) {
  return [
    `$ORIGIN ${ZONE}.`,
    '$TTL 300',
    `@ IN SOA ${NS1}. hostmaster.univ-example.fr. ${serial} 14400 3600 1209600 3600`,
    ...ns.map((n) => `@ IN NS ${n}.`),
    '1 IN PTR host1.univ-example.fr.',
    DNSKEY,
    ...extra,
  ].join('\n');
}

let good1: Knot;
let good2: Knot;
let otherSerial: Knot;
let otherNs: Knot;
let lame: Knot;
let inZone: Knot[];
const IN_NS1 = `ns1.${ZONE}`;
const IN_NS2 = `ns2.${ZONE}`;
let dsFromKey: DsInput[];
let ds384: DsInput;

beforeAll(async () => {
  const inZoneText = zoneText({ ns: [IN_NS1, IN_NS2], extra: ['ns1 IN A 127.0.0.7', 'ns2 IN A 127.0.0.8'] });
  [good1, good2, otherSerial, otherNs, lame, ...inZone] = await Promise.all([
    startKnot({ listen: '127.0.0.2', zones: [{ name: ZONE, text: zoneText() }] }),
    startKnot({ listen: '127.0.0.3', zones: [{ name: ZONE, text: zoneText() }] }),
    startKnot({ listen: '127.0.0.4', zones: [{ name: ZONE, text: zoneText({ serial: 2024010102 }) }] }),
    startKnot({
      listen: '127.0.0.5',
      zones: [{ name: ZONE, text: zoneText({ ns: [NS1, 'ns3.elsewhere.example'] }) }],
    }),
    startKnot({ listen: '127.0.0.6', zones: [] }),
    startKnot({ listen: '127.0.0.7', zones: [{ name: ZONE, text: inZoneText }] }),
    startKnot({ listen: '127.0.0.8', zones: [{ name: ZONE, text: inZoneText }] }),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'guichet-ds-'));
  try {
    writeFileSync(join(dir, 'zone'), `${zoneText()}\n`);
    const ds = (digest: string) => {
      const out = execFileSync('dnssec-dsfromkey', ['-a', digest, '-f', join(dir, 'zone'), ZONE], {
        encoding: 'utf8',
      });
      const [tag, alg, type, hex] = out.trim().split(/\s+/).slice(-4) as [string, string, string, string];
      return { keyTag: Number(tag), algorithm: Number(alg), digestType: Number(type), digest: hex };
    };
    dsFromKey = [ds('SHA-256')];
    ds384 = ds('SHA-384');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

afterAll(async () => {
  await Promise.all([good1, good2, otherSerial, otherNs, lame, ...(inZone ?? [])].map((k) => k?.stop()));
});

const at = (k: Knot): Endpoint[] => [{ address: k.address, port: k.port }];
const codes = (f: Finding[]) => f.map((x) => x.code).sort();

function check(ns1: Knot, ns2: Knot, ds?: DsInput[]) {
  const map: Record<string, Endpoint[]> = { [NS1]: at(ns1), [NS2]: at(ns2) };
  return checkDelegation(
    { zone: ZONE, nameservers: [{ name: NS1 }, { name: NS2 }], ...(ds ? { ds } : {}) },
    { resolve: async (n) => map[n] ?? [], timeoutMs: 1000 },
  );
}

describe('checkDelegation against Knot', () => {
  it('passes a good setup with no finding at all', async () => {
    const f = await check(good1, good2);
    expect(f).toEqual([]);
    expect(blocks(f)).toBe(false);
  });

  it('blocks a lame server (REFUSED) and names it', async () => {
    const f = await check(good1, lame);
    expect(f).toEqual([
      expect.objectContaining({ level: 'error', code: 'LAME', server: `${NS2}/127.0.0.6@${lame.port}` }),
    ]);
    expect(blocks(f)).toBe(true);
  });

  it('reports a SOA serial mismatch as a warning (Zonemaster MULTIPLE_SOA_SERIALS)', async () => {
    const f = await check(good1, otherSerial);
    expect(f).toEqual([expect.objectContaining({ level: 'warning', code: 'SERIAL_MISMATCH' })]);
    expect(f[0]!.message).toContain('2024010102');
    expect(blocks(f)).toBe(false);
  });

  it('blocks an NS set that differs from the request', async () => {
    const f = await check(good1, otherNs);
    expect(codes(f)).toEqual(['NS_MISMATCH']);
    expect(f[0]).toMatchObject({ level: 'error', server: `${NS2}/127.0.0.5@${otherNs.port}` });
    expect(f[0]!.message).toContain('ns3.elsewhere.example');
  });

  it('accepts a DS (SHA-256, from dnssec-dsfromkey) that matches the served DNSKEY', async () => {
    expect(dsFromKey[0]!.digestType).toBe(2);
    expect(await check(good1, good2, dsFromKey)).toEqual([]);
  });

  it('accepts a SHA-384 DS (digest type 4) too', async () => {
    expect(ds384.digestType).toBe(4);
    expect(await check(good1, good2, [ds384])).toEqual([]);
  });

  it('blocks a DS that matches nothing, on each server', async () => {
    const bad = { ...dsFromKey[0]!, digest: 'ab'.repeat(32) };
    const f = await check(good1, good2, [bad]);
    expect(codes(f)).toEqual(['DS_NO_MATCH', 'DS_NO_MATCH']);
    expect(blocks(f)).toBe(true);
  });

  it('blocks a SHA-1 (and GOST) DS whatever its digest', async () => {
    const f = await check(good1, good2, [
      { ...dsFromKey[0]!, digestType: 1, digest: 'ab'.repeat(20) },
      { ...dsFromKey[0]!, digestType: 3, digest: 'ab'.repeat(32) },
    ]);
    expect(codes(f)).toEqual(['DS_DIGEST_TYPE', 'DS_DIGEST_TYPE']);
  });

  it('does not report a lame server again for the DS', async () => {
    const f = await check(good1, lame, dsFromKey);
    expect(codes(f)).toEqual(['LAME']); // the lame server is reported once, not again for DS
  });
});

/**
 * Faults Knot cannot show (TCP off, open recursion, no EDNS, no DNSKEY): a UDP-only stand-in
 * written with dns-packet that answers the zone authoritatively, without OPT, with RA set and
 * NXDOMAIN for any outside name asked recursively.
 */
async function startFakeUdpServer(address: string): Promise<{ port: number; close(): Promise<void> }> {
  const sock = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const q = packet.decode(msg);
    const question = q.questions![0]!;
    const inZone = question.name.toLowerCase() === ZONE;
    const answers: packet.Answer[] = [];
    if (inZone && question.type === 'SOA') {
      answers.push({
        type: 'SOA',
        name: ZONE,
        ttl: 300,
        data: {
          mname: NS1,
          rname: 'hostmaster.univ-example.fr',
          serial: 2024010101,
          refresh: 14400,
          retry: 3600,
          expire: 1209600,
          minimum: 3600,
        },
      });
    }
    if (inZone && question.type === 'NS')
      for (const n of [NS1, NS2]) answers.push({ type: 'NS', name: ZONE, ttl: 300, data: n });
    // dns-packet takes the rcode from the low 4 bits of the flags: 3 = NXDOMAIN.
    const rcode = inZone ? 0 : 3;
    const flags =
      (inZone ? packet.AUTHORITATIVE_ANSWER : 0) |
      packet.RECURSION_AVAILABLE |
      ((q.flags ?? 0) & packet.RECURSION_DESIRED) |
      rcode;
    const out = packet.encode({ type: 'response', id: q.id, flags, questions: [question], answers });
    sock.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, address, r));
  return { port: sock.address().port, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

describe('faults Knot cannot show (UDP-only stand-in)', () => {
  it('blocks TCP off, open recursion and a DS without DNSKEY; warns about missing EDNS', async () => {
    const fake = await startFakeUdpServer('127.0.0.9');
    try {
      const map: Record<string, Endpoint[]> = {
        [NS1]: at(good1),
        [NS2]: [{ address: '127.0.0.9', port: fake.port }],
      };
      const f = await checkDelegation(
        { zone: ZONE, nameservers: [{ name: NS1 }, { name: NS2 }], ds: dsFromKey },
        { resolve: async (n) => map[n] ?? [], timeoutMs: 1000 },
      );
      expect(codes(f)).toEqual(['DS_NO_DNSKEY', 'NO_EDNS', 'OPEN_RECURSION', 'UNREACHABLE_TCP']);
      expect(f.every((x) => x.server === `${NS2}/127.0.0.9@${fake.port}`)).toBe(true);
      expect(f.find((x) => x.code === 'NO_EDNS')!.level).toBe('warning');
      expect(blocks(f)).toBe(true);
    } finally {
      await fake.close();
    }
  });
});

describe('glue rules', () => {
  it('accepts in-zone names with glue', async () => {
    const f = await checkDelegation({
      zone: ZONE,
      nameservers: [
        { name: IN_NS1, addresses: at(inZone[0]!) },
        { name: IN_NS2, addresses: at(inZone[1]!) },
      ],
    });
    expect(f).toEqual([]);
  });

  it('requires glue for an in-zone name', async () => {
    const f = await checkDelegation({
      zone: ZONE,
      nameservers: [{ name: IN_NS1, addresses: at(inZone[0]!) }, { name: IN_NS2 }],
    });
    expect(f).toContainEqual(expect.objectContaining({ level: 'error', code: 'GLUE_REQUIRED' }));
  });

  it('refuses glue for an out-of-zone name', async () => {
    const map: Record<string, Endpoint[]> = { [NS1]: at(good1), [NS2]: at(good2) };
    const f = await checkDelegation(
      { zone: ZONE, nameservers: [{ name: NS1, addresses: at(good1) }, { name: NS2 }] },
      { resolve: async (n) => map[n] ?? [] },
    );
    expect(codes(f)).toEqual(['GLUE_NOT_ALLOWED']);
  });

  it('requires two name servers', async () => {
    const f = await check(good1, good1);
    expect(codes(f)).toEqual([]);
    const one = await checkDelegation(
      { zone: ZONE, nameservers: [{ name: NS1 }] },
      { resolve: async () => at(good1) },
    );
    // good1 serves NS2 as well, which was not requested.
    expect(codes(one)).toEqual(['NOT_ENOUGH_NS', 'NS_MISMATCH']);
  });
});

describe('after a zone reload (knotc)', () => {
  it('sees the new serial: the mismatch is gone', async () => {
    await otherSerial.replaceZone({ name: ZONE, text: zoneText() });
    expect(await check(good1, otherSerial)).toEqual([]);
  });
});
