import { generateKeyPairSync } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { dsFromKey, type Knot, signZone, startKnot, testDnskeyLine } from '@guichet/testkit';
import type { DnskeyData, RrsigData } from 'dns-packet';
import * as packet from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../client.js';
import { blocks, checkDelegation, type DsInput, type Endpoint, type Finding } from './index.js';
import { dnskeyRdatas, verifyRrsig } from './rrsig.js';

/**
 * Peers test (reference/peers.md §2): Knot instances on 127.0.0.2–127.0.0.8 serve the reverse
 * zone 2.0.192.in-addr.arpa — two good servers (the zone signed, ECDSA P-256), one with another
 * SOA serial, one with another NS set, one without the zone (lame), two with in-zone NS names —
 * and one on 127.0.0.10 serves variants under other names: signed with Ed25519, with RSA/SHA-256,
 * unsigned but publishing a DNSKEY, signed then given a second DNSKEY, listing a third NS.
 * Signed zones, DS records and keys come from BIND's dnssec-keygen, dnssec-signzone and
 * dnssec-dsfromkey (@guichet/testkit), not from our own code.
 */

const ZONE = '2.0.192.in-addr.arpa';
const Z = {
  ed25519: '10.0.192.in-addr.arpa',
  rsa: '11.0.192.in-addr.arpa',
  keyOnly: '12.0.192.in-addr.arpa',
  tampered: '13.0.192.in-addr.arpa',
  threeNs: '14.0.192.in-addr.arpa',
};
const NS1 = 'ns1.univ-example.fr';
const NS2 = 'ns2.univ-example.fr';
const NS3 = 'ns3.univ-example.fr';
/** Addresses where nothing listens. */
const DEAD: Endpoint = { address: '127.0.0.14', port: 53 };
const DEAD2: Endpoint = { address: '127.0.0.15', port: 53 };

function zoneText({ zone = ZONE, serial = 2024010101, ns = [NS1, NS2], extra = [] as string[] } = {}) {
  return [
    `$ORIGIN ${zone}.`,
    '$TTL 300',
    `@ IN SOA ${NS1}. hostmaster.univ-example.fr. ${serial} 14400 3600 1209600 3600`,
    ...ns.map((n) => `@ IN NS ${n}.`),
    '1 IN PTR host1.univ-example.fr.',
    ...extra,
  ].join('\n');
}

let good1: Knot;
let good2: Knot;
let otherSerial: Knot;
let otherNs: Knot;
let lame: Knot;
let inZone: Knot[];
let variants: Knot;
const IN_NS1 = `ns1.${ZONE}`;
const IN_NS2 = `ns2.${ZONE}`;
const signed = signZone(ZONE, zoneText());
const signedEd = signZone(Z.ed25519, zoneText({ zone: Z.ed25519 }), { algorithm: 'ED25519' });
const signedRsa = signZone(Z.rsa, zoneText({ zone: Z.rsa }), { algorithm: 'RSASHA256' });
/** A DNSKEY in an unsigned zone, and its DS. */
const keyOnlyText = zoneText({ zone: Z.keyOnly, extra: [testDnskeyLine()] });
const keyOnlyDs = dsFromKey(Z.keyOnly, keyOnlyText);
/** A signed zone given a second key afterwards: the RRSIG no longer covers the DNSKEY set. */
const tampered = signZone(Z.tampered, zoneText({ zone: Z.tampered }));
const tamperedText = `${tampered.text}\n${Z.tampered}. 300 IN ${testDnskeyLine().replace(/^@ IN /, '')}\n`;

beforeAll(async () => {
  const inZoneText = zoneText({ ns: [IN_NS1, IN_NS2], extra: ['ns1 IN A 127.0.0.7', 'ns2 IN A 127.0.0.8'] });
  const serve = (listen: string, text: string) => startKnot({ listen, zones: [{ name: ZONE, text }] });
  [good1, good2, otherSerial, otherNs, lame, variants, ...inZone] = await Promise.all([
    serve('127.0.0.2', signed.text),
    serve('127.0.0.3', signed.text),
    serve('127.0.0.4', zoneText({ serial: 2024010102 })),
    serve('127.0.0.5', zoneText({ ns: [NS1, 'ns3.elsewhere.example'] })),
    startKnot({ listen: '127.0.0.6', zones: [] }),
    startKnot({
      listen: '127.0.0.10',
      zones: [
        { name: Z.ed25519, text: signedEd.text },
        { name: Z.rsa, text: signedRsa.text },
        { name: Z.keyOnly, text: keyOnlyText },
        { name: Z.tampered, text: tamperedText },
        { name: Z.threeNs, text: zoneText({ zone: Z.threeNs, ns: [NS1, NS2, NS3] }) },
      ],
    }),
    serve('127.0.0.7', inZoneText),
    serve('127.0.0.8', inZoneText),
  ]);
});

afterAll(async () => {
  await Promise.all(
    [good1, good2, otherSerial, otherNs, lame, variants, ...(inZone ?? [])].map((k) => k?.stop()),
  );
});

const at = (k: Knot): Endpoint[] => [{ address: k.address, port: k.port }];
const codes = (f: Finding[]) => f.map((x) => x.code).sort();

function check(ns1: Knot, ns2: Knot, ds?: DsInput[], zone = ZONE) {
  const map: Record<string, Endpoint[]> = { [NS1]: at(ns1), [NS2]: at(ns2) };
  return checkDelegation(
    { zone, nameservers: [{ name: NS1 }, { name: NS2 }], ...(ds ? { ds } : {}) },
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

  it('blocks an NS set without a requested name; warns about the name it adds', async () => {
    const f = await check(good1, otherNs);
    const server = `${NS2}/127.0.0.5@${otherNs.port}`;
    expect(codes(f)).toEqual(['NS_EXTRA_CHILD', 'NS_MISMATCH']);
    expect(f.find((x) => x.code === 'NS_MISMATCH')).toMatchObject({ level: 'error', server });
    expect(f.find((x) => x.code === 'NS_MISMATCH')!.message).toContain(NS2);
    expect(f.find((x) => x.code === 'NS_EXTRA_CHILD')).toMatchObject({ level: 'warning', server });
    expect(f.find((x) => x.code === 'NS_EXTRA_CHILD')!.message).toContain('ns3.elsewhere.example');
  });

  it('warns, without blocking, about an NS the zone lists and the request lacks (EXTRA_NAME_CHILD)', async () => {
    const f = await check(variants, variants, undefined, Z.threeNs);
    expect(codes(f)).toEqual(['NS_EXTRA_CHILD', 'NS_EXTRA_CHILD']);
    expect(f.every((x) => x.level === 'warning' && x.message.includes(NS3))).toBe(true);
    expect(blocks(f)).toBe(false);
  });

  it('warns about one silent address while another server answers (CN01/CN02_NO_RESPONSE_*)', async () => {
    const f = await checkDelegation(
      { zone: ZONE, nameservers: [{ name: NS1 }, { name: NS2 }] },
      { resolve: async (n) => (n === NS1 ? at(good1) : [DEAD]), timeoutMs: 500 },
    );
    expect(f.map((x) => `${x.level} ${x.code}`).sort()).toEqual([
      'warning UNREACHABLE_TCP',
      'warning UNREACHABLE_UDP',
    ]);
    expect(f.every((x) => x.server === `${NS2}/${DEAD.address}@${DEAD.port}`)).toBe(true);
    expect(blocks(f)).toBe(false);
  });

  it('blocks when no server answers at all (Zonemaster CANNOT_CONTINUE)', async () => {
    const f = await checkDelegation(
      { zone: ZONE, nameservers: [{ name: NS1 }, { name: NS2 }] },
      { resolve: async (n) => [n === NS1 ? DEAD : DEAD2], timeoutMs: 500 },
    );
    expect(f.map((x) => `${x.level} ${x.code}`).sort()).toEqual([
      'error UNREACHABLE_TCP',
      'error UNREACHABLE_TCP',
      'error UNREACHABLE_UDP',
      'error UNREACHABLE_UDP',
    ]);
  });

  it('accepts a DS (SHA-256, from dnssec-dsfromkey) of the key that signs the zone', async () => {
    expect(signed.ds).toMatchObject({ digestType: 2, algorithm: 13, keyTag: signed.keyTag });
    expect(await check(good1, good2, [signed.ds])).toEqual([]);
  });

  it('accepts a SHA-384 DS (digest type 4) too', async () => {
    expect(signed.ds384.digestType).toBe(4);
    expect(await check(good1, good2, [signed.ds384])).toEqual([]);
  });

  it('verifies Ed25519 (15) and RSA/SHA-256 (8) signatures as well', async () => {
    expect(signedEd.ds.algorithm).toBe(15);
    expect(signedRsa.ds.algorithm).toBe(8);
    expect(await check(variants, variants, [signedEd.ds], Z.ed25519)).toEqual([]);
    expect(await check(variants, variants, [signedRsa.ds], Z.rsa)).toEqual([]);
  });

  it('blocks a DS for an unsigned zone that publishes the DNSKEY (DS_NOT_SIGNED)', async () => {
    const f = await check(variants, variants, [keyOnlyDs], Z.keyOnly);
    expect(codes(f)).toEqual(['DS_NOT_SIGNED', 'DS_NOT_SIGNED']);
    expect(f.every((x) => x.level === 'error')).toBe(true);
    expect(f[0]!.message).toContain('the DNSKEY set is not signed by the key the DS points to');
    // Without the DS, the same zone passes: an unsigned zone is fine (Zonemaster NOT_SIGNED, NOTICE).
    expect(await check(variants, variants, undefined, Z.keyOnly)).toEqual([]);
  });

  it('blocks a DS whose key signed another DNSKEY set (DS_BAD_SIGNATURE)', async () => {
    const f = await check(variants, variants, [tampered.ds], Z.tampered);
    expect(codes(f)).toEqual(['DS_BAD_SIGNATURE', 'DS_BAD_SIGNATURE']);
    expect(f[0]).toMatchObject({ level: 'error' });
    expect(f[0]!.message).toContain('does not match');
  });

  it('blocks a DS that matches nothing, on each server', async () => {
    const bad = { ...signed.ds, digest: 'ab'.repeat(32) };
    const f = await check(good1, good2, [bad]);
    expect(codes(f)).toEqual(['DS_NO_MATCH', 'DS_NO_MATCH']);
    expect(blocks(f)).toBe(true);
  });

  it('blocks a SHA-1 (and GOST) DS whatever its digest', async () => {
    const f = await check(good1, good2, [
      { ...signed.ds, digestType: 1, digest: 'ab'.repeat(20) },
      { ...signed.ds, digestType: 3, digest: 'ab'.repeat(32) },
    ]);
    expect(codes(f)).toEqual(['DS_DIGEST_TYPE', 'DS_DIGEST_TYPE']);
  });

  it('does not report a lame server again for the DS', async () => {
    const f = await check(good1, lame, [signed.ds]);
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
        { zone: ZONE, nameservers: [{ name: NS1 }, { name: NS2 }], ds: [signed.ds] },
        { resolve: async (n) => map[n] ?? [], timeoutMs: 1000 },
      );
      expect(codes(f)).toEqual(['DS_NO_DNSKEY', 'NO_EDNS', 'OPEN_RECURSION', 'UNREACHABLE_TCP']);
      expect(f.every((x) => x.server === `${NS2}/127.0.0.9@${fake.port}`)).toBe(true);
      expect(f.find((x) => x.code === 'NO_EDNS')!.level).toBe('warning');
      // good1 answers over TCP: one silent address is a warning (Zonemaster CN02_NO_RESPONSE_TCP).
      expect(f.find((x) => x.code === 'UNREACHABLE_TCP')!.level).toBe('warning');
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
    // good1 serves NS2 as well, which was not requested: a warning.
    expect(codes(one)).toEqual(['NOT_ENOUGH_NS', 'NS_EXTRA_CHILD']);
  });
});

describe('after a zone reload (knotc)', () => {
  it('sees the new serial: the mismatch is gone', async () => {
    await otherSerial.replaceZone({ name: ZONE, text: zoneText() });
    expect(await check(good1, otherSerial)).toEqual([]);
  });
});

describe('verifyRrsig on what Knot serves (a zone signed by dnssec-signzone)', () => {
  async function dnskeySet(k: Knot, zone = ZONE) {
    const a = await query(k.address, k.port, zone, 'DNSKEY', { tcp: true, dnssec: true });
    const keys = a.answers.flatMap((x) => (x.type === 'DNSKEY' ? [x.data as DnskeyData] : []));
    const sig = a.answers.flatMap((x) => (x.type === 'RRSIG' ? [x.data as RrsigData] : []))[0]!;
    return { keys, sig, rdatas: dnskeyRdatas(keys) };
  }

  it('needs the DO bit for the RRSIG to come back', async () => {
    const plain = await query(good1.address, good1.port, ZONE, 'DNSKEY', { tcp: true });
    expect(plain.answers.map((x) => x.type)).toEqual(['DNSKEY']);
    const withDo = await query(good1.address, good1.port, ZONE, 'DNSKEY', { tcp: true, dnssec: true });
    expect(withDo.answers.map((x) => x.type).sort()).toEqual(['DNSKEY', 'RRSIG']);
  });

  it('accepts the signature, for each algorithm', async () => {
    for (const zone of [ZONE, Z.ed25519, Z.rsa]) {
      const { keys, sig, rdatas } = await dnskeySet(zone === ZONE ? good1 : variants, zone);
      expect(sig.algorithm).toBe(keys[0]!.algorithm);
      expect(verifyRrsig(zone, rdatas, sig, keys[0]!)).toEqual({ status: 'valid' });
    }
  });

  it('rejects a flipped bit, a changed RRset, another key and a time outside the validity period', async () => {
    const { keys, sig, rdatas } = await dnskeySet(good1);
    const flipped = Buffer.from(sig.signature);
    flipped[5]! ^= 1;
    expect(verifyRrsig(ZONE, rdatas, { ...sig, signature: flipped }, keys[0]!).status).toBe('invalid');
    expect(verifyRrsig(ZONE, [...rdatas, Buffer.from('0101030d', 'hex')], sig, keys[0]!).status).toBe(
      'invalid',
    );
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const other = {
      flags: 257,
      algorithm: 13,
      key: Buffer.concat([Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]),
    };
    expect(verifyRrsig(ZONE, rdatas, sig, other).status).toBe('invalid');
    expect(verifyRrsig(ZONE, rdatas, sig, (await dnskeySet(variants, Z.ed25519)).keys[0]!).status).toBe(
      'invalid',
    );
    expect(verifyRrsig(ZONE, rdatas, sig, keys[0]!, sig.expiration + 1)).toMatchObject({
      status: 'invalid',
      reason: expect.stringContaining('expired'),
    });
    expect(verifyRrsig(ZONE, rdatas, sig, keys[0]!, sig.inception - 1)).toMatchObject({
      status: 'invalid',
      reason: expect.stringContaining('not valid before'),
    });
    // The RRset order and duplicates do not matter (canonical form).
    expect(verifyRrsig(ZONE, [...rdatas, ...rdatas].reverse(), sig, keys[0]!).status).toBe('valid');
  });
});
