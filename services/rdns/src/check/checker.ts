import { promises as dnsPromises } from 'node:dns';
import type { DnskeyData, SoaData } from 'dns-packet';
import { type DnsAnswer, query } from './dns.js';
import { DS_DIGESTS, dsDigest, keyTag } from './ds.js';

/**
 * Pre-delegation check of a reverse zone (issue 5), modelled on Zonemaster's default profile
 * (reference/reverse-dns.md §4). Any `error` blocks the request; warnings and notices are shown.
 *
 * | Code              | Level   | Meaning (Zonemaster counterpart)                                          |
 * |-------------------|---------|---------------------------------------------------------------------------|
 * | NOT_ENOUGH_NS     | error   | fewer than two name servers (DELEGATION01 NOT_ENOUGH_NS_DEL)              |
 * | GLUE_REQUIRED     | error   | NS name inside the zone without addresses (RIPE NServerValidator)          |
 * | GLUE_NOT_ALLOWED  | error   | addresses given for an NS name outside the zone (RIPE NServerValidator)    |
 * | NO_ADDRESS        | error   | an out-of-zone NS name resolves to no address (NAMESERVER06)               |
 * | UNREACHABLE_UDP   | error   | no answer over UDP (CONNECTIVITY01 NAMESERVER_NO_UDP_53)                  |
 * | UNREACHABLE_TCP   | error   | no answer over TCP (CONNECTIVITY02 NAMESERVER_NO_TCP_53)                  |
 * | LAME              | error   | REFUSED for the zone's SOA (CONSISTENCY CHILD_ZONE_LAME)                  |
 * | NOT_AUTHORITATIVE | error   | no AA answer with the zone's SOA (B02_NS_NOT_AUTH, DELEGATION06)          |
 * | SERIAL_MISMATCH   | warning | servers serve different SOA serials (CONSISTENCY01 MULTIPLE_SOA_SERIALS)  |
 * | NS_MISMATCH       | error   | served NS set ≠ requested set (DELEGATION07 EXTRA_NAME_PARENT / TOTAL_NAME_MISMATCH) |
 * | OPEN_RECURSION    | error   | RA set and an outside name resolved (NAMESERVER01 IS_A_RECURSOR)          |
 * | NO_EDNS           | warning | EDNS query unanswered or answered without OPT (NAMESERVER02 NO_EDNS_SUPPORT) |
 * | DS_DIGEST_TYPE    | error   | DS digest type other than 2 or 4 (DNSSEC01 DS01_DS_ALGO_DEPRECATED …)     |
 * | DS_NO_DNSKEY      | error   | DS given but a server serves no DNSKEY (DS_BUT_NOT_DNSKEY)                |
 * | DS_NO_MATCH       | error   | a DS matches no zone DNSKEY a server serves (DS02_NO_MATCH_DS_DNSKEY)     |
 *
 * Servers are queried in parallel; each query has a timeout and is sent once (no retries).
 */

export type FindingLevel = 'error' | 'warning' | 'notice';

export interface Finding {
  level: FindingLevel;
  code: string;
  message: string;
  /** `name/address@port` of the server concerned, when there is one. */
  server?: string;
}

export interface Endpoint {
  address: string;
  port: number;
}

export interface NameserverInput {
  name: string;
  /** Glue: required when the name is inside the zone, refused otherwise. */
  addresses?: Endpoint[];
}

export interface DsInput {
  keyTag: number;
  algorithm: number;
  digestType: number;
  /** Hex. */
  digest: string;
}

export interface DelegationInput {
  zone: string;
  nameservers: NameserverInput[];
  ds?: DsInput[];
}

export interface CheckOptions {
  /** Addresses of an out-of-zone NS name; by default its A/AAAA records, port 53. */
  resolve?: (name: string) => Promise<Endpoint[]>;
  timeoutMs?: number;
}

/** A name no resolver can find: an open recursor answers NXDOMAIN with RA (as Zonemaster NS01). */
const RECURSION_PROBE = 'xx--domain-cannot-exist.xx--illegal-syntax-tld.';

export const blocks = (findings: Finding[]) => findings.some((f) => f.level === 'error');

const norm = (name: string) => name.toLowerCase().replace(/\.$/, '');
const inDomain = (name: string, zone: string) => {
  const n = norm(name);
  const z = norm(zone);
  return n === z || n.endsWith(`.${z}`);
};

async function defaultResolve(name: string): Promise<Endpoint[]> {
  const settle = (p: Promise<string[]>) => p.catch(() => [] as string[]);
  const [v4, v6] = await Promise.all([
    settle(dnsPromises.resolve4(name)),
    settle(dnsPromises.resolve6(name)),
  ]);
  return [...v4, ...v6].map((address) => ({ address, port: 53 }));
}

interface ServerResult {
  label: string;
  serial?: number;
  nsSet?: string[];
  dnskeys?: DnskeyData[];
}

export async function checkDelegation(input: DelegationInput, opts: CheckOptions = {}): Promise<Finding[]> {
  const zone = norm(input.zone);
  const findings: Finding[] = [];
  const add = (level: FindingLevel, code: string, message: string, server?: string) =>
    findings.push(server ? { level, code, message, server } : { level, code, message });

  const names = [...new Set(input.nameservers.map((n) => norm(n.name)))];
  if (names.length < 2)
    add('error', 'NOT_ENOUGH_NS', `${names.length} name server(s); at least 2 are required`);

  // Glue rules, then the addresses to query.
  const resolve = opts.resolve ?? defaultResolve;
  const targets: { name: string; endpoint: Endpoint }[] = [];
  for (const ns of input.nameservers) {
    const glue = ns.addresses ?? [];
    if (inDomain(ns.name, zone)) {
      if (!glue.length)
        add('error', 'GLUE_REQUIRED', `${ns.name} is inside ${zone}: its addresses are required`);
      for (const endpoint of glue) targets.push({ name: norm(ns.name), endpoint });
    } else {
      if (glue.length)
        add('error', 'GLUE_NOT_ALLOWED', `${ns.name} is outside ${zone}: no addresses may be given`);
      const found = await resolve(ns.name);
      if (!found.length) add('error', 'NO_ADDRESS', `${ns.name} resolves to no address`);
      for (const endpoint of found) targets.push({ name: norm(ns.name), endpoint });
    }
  }

  const results = await Promise.all(
    targets.map((t) =>
      checkServer(zone, names, t.name, t.endpoint, Boolean(input.ds?.length), opts.timeoutMs, add),
    ),
  );

  const serials = new Map<number, string[]>();
  for (const r of results)
    if (r.serial !== undefined) serials.set(r.serial, [...(serials.get(r.serial) ?? []), r.label]);
  if (serials.size > 1) {
    const list = [...serials].map(([s, servers]) => `${s} (${servers.join(', ')})`).join('; ');
    add('warning', 'SERIAL_MISMATCH', `the servers serve different SOA serials: ${list}`);
  }

  for (const ds of input.ds ?? []) {
    const tag = `DS ${ds.keyTag} ${ds.algorithm} ${ds.digestType}`;
    if (!DS_DIGESTS[ds.digestType]) {
      add(
        'error',
        'DS_DIGEST_TYPE',
        `${tag}: digest type ${ds.digestType} is not accepted (only 2 SHA-256, 4 SHA-384)`,
      );
      continue;
    }
    const digest = ds.digest.replace(/\s+/g, '').toLowerCase();
    for (const r of results) {
      if (!r.dnskeys) continue; // unreachable or lame: already reported
      if (!r.dnskeys.length) {
        add('error', 'DS_NO_DNSKEY', `${tag}: the server serves no DNSKEY for ${zone}`, r.label);
        continue;
      }
      const match = r.dnskeys.some(
        (k) =>
          (k.flags & 0x100) !== 0 &&
          k.algorithm === ds.algorithm &&
          keyTag(k) === ds.keyTag &&
          dsDigest(zone, k, ds.digestType) === digest,
      );
      if (!match) add('error', 'DS_NO_MATCH', `${tag}: matches no zone DNSKEY the server serves`, r.label);
    }
  }
  return findings;
}

async function checkServer(
  zone: string,
  expectedNs: string[],
  name: string,
  { address, port }: Endpoint,
  wantDnskey: boolean,
  timeoutMs: number | undefined,
  add: (level: FindingLevel, code: string, message: string, server?: string) => void,
): Promise<ServerResult> {
  const label = `${name}/${address}@${port}`;
  const result: ServerResult = { label };
  const attempt = (p: Promise<DnsAnswer>) =>
    p.then(
      (a) => a,
      () => undefined,
    );

  const [udp, tcp] = await Promise.all([
    attempt(query(address, port, zone, 'SOA', { timeoutMs })),
    attempt(query(address, port, zone, 'SOA', { tcp: true, timeoutMs })),
  ]);
  let soa = udp;
  if (!udp) {
    // Distinguish "no UDP at all" from "breaks on EDNS".
    const plain = await attempt(query(address, port, zone, 'SOA', { edns: false, timeoutMs }));
    if (plain) {
      add(
        'warning',
        'NO_EDNS',
        'no answer to an EDNS query over UDP (a query without EDNS is answered)',
        label,
      );
      soa = plain;
    } else add('error', 'UNREACHABLE_UDP', 'no answer over UDP', label);
  } else if (!udp.ednsPresent)
    add('warning', 'NO_EDNS', 'the answer to an EDNS query carries no OPT record', label);
  if (!tcp) add('error', 'UNREACHABLE_TCP', 'no answer over TCP', label);
  soa ??= tcp;
  if (!soa) return result;

  if (soa.rcode === 'REFUSED') {
    add('error', 'LAME', `REFUSED for ${zone}: the server does not serve the zone`, label);
    return result;
  }
  const soaRr = soa.answers.find((a) => a.type === 'SOA' && norm(a.name) === zone);
  if (soa.rcode !== 'NOERROR' || !soa.aa || !soaRr) {
    add(
      'error',
      'NOT_AUTHORITATIVE',
      `no authoritative SOA for ${zone} (rcode ${soa.rcode}, AA ${soa.aa})`,
      label,
    );
    return result;
  }
  result.serial = (soaRr.data as SoaData).serial;

  const viaTcp = !udp;
  const [ns, rec, keys] = await Promise.all([
    attempt(query(address, port, zone, 'NS', { tcp: viaTcp, timeoutMs })),
    attempt(query(address, port, RECURSION_PROBE, 'A', { rd: true, tcp: viaTcp, timeoutMs })),
    wantDnskey ? attempt(query(address, port, zone, 'DNSKEY', { tcp: true, timeoutMs })) : undefined,
  ]);

  if (ns?.aa && ns.rcode === 'NOERROR') {
    const served = [
      ...new Set(
        ns.answers.filter((a) => a.type === 'NS' && norm(a.name) === zone).map((a) => norm(a.data as string)),
      ),
    ].sort();
    result.nsSet = served;
    const missing = expectedNs.filter((n) => !served.includes(n));
    const extra = served.filter((n) => !expectedNs.includes(n));
    if (missing.length || extra.length) {
      const parts = [
        ...(missing.length ? [`requested but not served: ${missing.join(', ')}`] : []),
        ...(extra.length ? [`served but not requested: ${extra.join(', ')}`] : []),
      ];
      add('error', 'NS_MISMATCH', `NS set differs from the request (${parts.join('; ')})`, label);
    }
  } else add('error', 'NS_MISMATCH', `no authoritative NS set for ${zone}`, label);

  if (rec?.ra && (rec.rcode === 'NXDOMAIN' || (rec.rcode === 'NOERROR' && rec.answers.length > 0))) {
    add('error', 'OPEN_RECURSION', `answers recursive queries for names outside ${zone}`, label);
  }

  if (wantDnskey) {
    result.dnskeys =
      keys?.rcode === 'NOERROR'
        ? keys.answers
            .filter((a) => a.type === 'DNSKEY' && norm(a.name) === zone)
            .map((a) => a.data as DnskeyData)
        : [];
  }
  return result;
}
