import { promises as dnsPromises } from 'node:dns';
import type { DnskeyData, RrsigData, SoaData } from 'dns-packet';
import { type DnsAnswer, query } from '../client.js';
import { DS_DIGESTS, dsDigest, keyTag } from './ds.js';
import { dnskeyRdatas, type RrsigOutcome, verifyRrsig } from './rrsig.js';

/**
 * Pre-delegation check of a reverse zone (issue 5), modelled on Zonemaster's default profile
 * (reference/reverse-dns.md §4): any `error` blocks the request; warnings and notices are shown.
 * The counterparts are the tags zonemaster-cli 5.0.2 (Engine 4.6.2) reports for the same fault,
 * with their level; zonemaster.test.ts asserts that both block on the same fixtures.
 *
 * | Code                   | Level   | Meaning — Zonemaster 5.0.2 counterpart                          |
 * |------------------------|---------|-----------------------------------------------------------------|
 * | NOT_ENOUGH_NS          | error   | fewer than two NS names — DELEGATION01 NOT_ENOUGH_NS_DEL (ERROR)|
 * | GLUE_REQUIRED          | error   | in-zone NS name without addresses — RIPE NServerValidator;      |
 * |                        |         | Zonemaster: FAKE_DELEGATION_IN_ZONE_NO_IP                       |
 * | GLUE_NOT_ALLOWED       | error   | addresses for an out-of-zone NS name — RIPE NServerValidator    |
 * | NO_ADDRESS             | error   | out-of-zone NS name without address — NAMESERVER06              |
 * |                        |         | CAN_NOT_BE_RESOLVED (ERROR)                                     |
 * | UNREACHABLE_UDP        | warning | no answer over UDP, another server answers over UDP —           |
 * |                        |         | CONNECTIVITY01 CN01_NO_RESPONSE_UDP (WARNING)                   |
 * |                        | error   | no server answers over UDP — BASIC02 finds no working NS:       |
 * |                        |         | SYSTEM CANNOT_CONTINUE (CRITICAL)                               |
 * | UNREACHABLE_TCP        | warning | no answer over TCP, another server answers over TCP —           |
 * |                        |         | CONNECTIVITY02 CN02_NO_RESPONSE_TCP (WARNING)                   |
 * |                        | error   | no server answers over TCP (RFC 7766) — stricter than 5.0.2,    |
 * |                        |         | which only warns while UDP works                                |
 * | LAME                   | error   | REFUSED for the zone's SOA — BASIC02 NS_FAILED (ERROR), with    |
 * |                        |         | DELEGATION04 IS_NOT_AUTHORITATIVE, CN01/CN02_UNEXPECTED_RCODE_* |
 * | NOT_AUTHORITATIVE      | error   | no AA answer with the zone's SOA — BASIC02 NS_FAILED (ERROR),   |
 * |                        |         | DELEGATION04 IS_NOT_AUTHORITATIVE                               |
 * | SERIAL_MISMATCH        | warning | different SOA serials — CONSISTENCY01 MULTIPLE_SOA_SERIALS      |
 * |                        |         | (WARNING)                                                       |
 * | NS_MISMATCH            | error   | a requested NS name the server does not list, or no             |
 * |                        |         | authoritative NS set — DELEGATION07 EXTRA_NAME_PARENT (ERROR)   |
 * | NS_EXTRA_CHILD         | warning | the server lists an NS name the request lacks — DELEGATION07    |
 * |                        |         | EXTRA_NAME_CHILD (NOTICE)                                       |
 * | OPEN_RECURSION         | error   | RA set and an outside name resolved — NAMESERVER01 IS_A_RECURSOR|
 * |                        |         | (ERROR)                                                         |
 * | NO_EDNS                | warning | EDNS query unanswered or answered without OPT — NAMESERVER02    |
 * |                        |         | NO_EDNS_SUPPORT (WARNING)                                       |
 * | DS_DIGEST_TYPE         | error   | DS digest type other than 2 or 4 — DNSSEC01                     |
 * |                        |         | DS01_DS_ALGO_DEPRECATED (ERROR)                                 |
 * | DS_NO_DNSKEY           | error   | DS given, a server serves no DNSKEY — DS_BUT_NOT_DNSKEY (ERROR) |
 * | DS_NO_MATCH            | error   | a DS matches no zone key a server serves — DNSSEC02             |
 * |                        |         | DS02_NO_MATCH_DS_DNSKEY (ERROR)                                 |
 * | DS_NOT_SIGNED          | error   | no RRSIG over the DNSKEY set by a key a DS matched — DNSSEC02   |
 * |                        |         | DS02_DNSKEY_NOT_SIGNED_BY_ANY_DS, DNSSEC08                      |
 * |                        |         | DS08_MISSING_RRSIG_IN_RESPONSE (ERROR)                          |
 * | DS_BAD_SIGNATURE       | error   | that RRSIG does not verify, or is expired / not yet valid —     |
 * |                        |         | DS02_RRSIG_NOT_VALID_BY_DNSKEY, DS08_RRSIG_NOT_VALID_BY_DNSKEY, |
 * |                        |         | DS08_DNSKEY_RRSIG_EXPIRED / _NOT_YET_VALID (ERROR)              |
 * | DS_SIGNATURE_UNCHECKED | notice  | that RRSIG is there, its algorithm is not one rrsig.ts verifies |
 * |                        |         | — DS02_ALGO_NOT_SUPPORTED_BY_ZM (NOTICE)                        |
 *
 * Servers are queried in parallel; each query has a timeout and is sent once (no retries). The
 * NS set is compared per server (Zonemaster compares the request with the union of what the
 * servers list, and reports differing sets as CONSISTENCY04 MULTIPLE_NS_SET, a NOTICE).
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

type Add = (level: FindingLevel, code: string, message: string, server?: string) => void;

interface ServerResult {
  label: string;
  /** Some answer came back over UDP (with or without EDNS) / over TCP. */
  udp: boolean;
  tcp: boolean;
  serial?: number;
  nsSet?: string[];
  /** The zone's DNSKEY set and the RRSIGs over it (asked with DO), when a DS is given. */
  dnskeys?: DnskeyData[];
  dnskeySigs?: RrsigData[];
}

export async function checkDelegation(input: DelegationInput, opts: CheckOptions = {}): Promise<Finding[]> {
  const zone = norm(input.zone);
  const findings: Finding[] = [];
  const add: Add = (level, code, message, server) => {
    findings.push(server ? { level, code, message, server } : { level, code, message });
  };

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

  // Zonemaster warns about a silent address (CN01_NO_RESPONSE_UDP, CN02_NO_RESPONSE_TCP) as long
  // as another server answers; with none answering, nothing works (BASIC02 → CANNOT_CONTINUE).
  for (const transport of ['UDP', 'TCP'] as const) {
    const answered = (r: ServerResult) => (transport === 'UDP' ? r.udp : r.tcp);
    const someone = results.some(answered);
    for (const r of results)
      if (!answered(r))
        add(
          someone ? 'warning' : 'error',
          `UNREACHABLE_${transport}`,
          someone
            ? `no answer over ${transport} (other servers of the delegation answer)`
            : `no answer over ${transport}, and no server of the delegation answers over ${transport}`,
          r.label,
        );
  }

  const serials = new Map<number, string[]>();
  for (const r of results)
    if (r.serial !== undefined) serials.set(r.serial, [...(serials.get(r.serial) ?? []), r.label]);
  if (serials.size > 1) {
    const list = [...serials].map(([s, servers]) => `${s} (${servers.join(', ')})`).join('; ');
    add('warning', 'SERIAL_MISMATCH', `the servers serve different SOA serials: ${list}`);
  }

  // Per server, the zone keys some DS matched: one of them must sign the DNSKEY set.
  const matched = new Map<ServerResult, DnskeyData[]>();
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
      const key = r.dnskeys.find(
        (k) =>
          (k.flags & 0x100) !== 0 &&
          k.algorithm === ds.algorithm &&
          keyTag(k) === ds.keyTag &&
          dsDigest(zone, k, ds.digestType) === digest,
      );
      if (!key) add('error', 'DS_NO_MATCH', `${tag}: matches no zone DNSKEY the server serves`, r.label);
      else if (!matched.get(r)?.includes(key)) matched.set(r, [...(matched.get(r) ?? []), key]);
    }
  }
  for (const [r, keys] of matched) checkDnskeySigned(zone, r, keys, add);
  return findings;
}

/**
 * The zone must be signed before a DS goes in (reverse-dns.md §7, Zonemaster DNSSEC02/08): an
 * RRSIG over the DNSKEY set by one of the keys the DS records matched, valid now. Zonemaster
 * wants one such key to sign (DS02_DNSKEY_NOT_SIGNED_BY_ANY_DS), not every one.
 */
function checkDnskeySigned(zone: string, r: ServerResult, keys: DnskeyData[], add: Add) {
  const tags = [...new Set(keys.map((k) => keyTag(k)))].join(', ');
  const candidates = (r.dnskeySigs ?? []).flatMap((sig) =>
    norm(sig.signersName) === zone
      ? keys.filter((k) => k.algorithm === sig.algorithm && keyTag(k) === sig.keyTag).map((k) => ({ sig, k }))
      : [],
  );
  if (!candidates.length) {
    add(
      'error',
      'DS_NOT_SIGNED',
      `the DNSKEY set is not signed by the key the DS points to (no RRSIG by key ${tags}; the zone must be signed before a DS is published)`,
      r.label,
    );
    return;
  }
  const rdatas = dnskeyRdatas(r.dnskeys ?? []);
  const outcomes: RrsigOutcome[] = candidates.map(({ sig, k }) => verifyRrsig(zone, rdatas, sig, k));
  if (outcomes.some((o) => o.status === 'valid')) return;
  const unsupported = outcomes.find((o) => o.status === 'unsupported');
  if (unsupported) {
    add(
      'notice',
      'DS_SIGNATURE_UNCHECKED',
      `the DNSKEY set carries an RRSIG by key ${tags}, not verified: ${unsupported.reason}`,
      r.label,
    );
    return;
  }
  const reasons = [...new Set(outcomes.flatMap((o) => (o.status === 'invalid' ? [o.reason] : [])))];
  add(
    'error',
    'DS_BAD_SIGNATURE',
    `the RRSIG over the DNSKEY set by key ${tags} does not verify: ${reasons.join('; ')}`,
    r.label,
  );
}

async function checkServer(
  zone: string,
  expectedNs: string[],
  name: string,
  { address, port }: Endpoint,
  wantDnskey: boolean,
  timeoutMs: number | undefined,
  add: Add,
): Promise<ServerResult> {
  const label = `${name}/${address}@${port}`;
  const result: ServerResult = { label, udp: false, tcp: false };
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
    }
  } else if (!udp.ednsPresent)
    add('warning', 'NO_EDNS', 'the answer to an EDNS query carries no OPT record', label);
  // UNREACHABLE_UDP / _TCP are reported by the caller, which knows whether other servers answer.
  result.udp = Boolean(soa);
  result.tcp = Boolean(tcp);
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
    wantDnskey
      ? attempt(query(address, port, zone, 'DNSKEY', { tcp: true, dnssec: true, timeoutMs }))
      : undefined,
  ]);

  if (ns?.aa && ns.rcode === 'NOERROR') {
    const served = [
      ...new Set(
        ns.answers.filter((a) => a.type === 'NS' && norm(a.name) === zone).map((a) => norm(a.data as string)),
      ),
    ].sort();
    result.nsSet = served;
    // A requested name the zone does not list breaks the delegation (EXTRA_NAME_PARENT, ERROR);
    // a listed name the request lacks only makes the two sets differ (EXTRA_NAME_CHILD, NOTICE).
    const missing = expectedNs.filter((n) => !served.includes(n));
    const extra = served.filter((n) => !expectedNs.includes(n));
    if (missing.length)
      add(
        'error',
        'NS_MISMATCH',
        `NS set differs from the request: requested but not served: ${missing.join(', ')}`,
        label,
      );
    if (extra.length)
      add(
        'warning',
        'NS_EXTRA_CHILD',
        `the zone lists name servers the request lacks: ${extra.join(', ')}`,
        label,
      );
  } else add('error', 'NS_MISMATCH', `no authoritative NS set for ${zone}`, label);

  if (rec?.ra && (rec.rcode === 'NXDOMAIN' || (rec.rcode === 'NOERROR' && rec.answers.length > 0))) {
    add('error', 'OPEN_RECURSION', `answers recursive queries for names outside ${zone}`, label);
  }

  if (wantDnskey) {
    const answers = keys?.rcode === 'NOERROR' ? keys.answers.filter((a) => norm(a.name) === zone) : [];
    result.dnskeys = answers.flatMap((a) => (a.type === 'DNSKEY' ? [a.data] : []));
    result.dnskeySigs = answers.flatMap((a) =>
      a.type === 'RRSIG' && a.data.typeCovered === 'DNSKEY' ? [a.data] : [],
    );
  }
  return result;
}
