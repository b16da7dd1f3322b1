import { ValidationError } from '@guichet/core';
import {
  addressToBigInt,
  bigIntToAddress,
  blockAt,
  makePrefix,
  type PrefixRange,
  parseAddress,
  parsePrefix,
  prefixRange,
} from '@guichet/net';
import { bogonOverlapping, bogonSetEntries } from './bogons.js';

/**
 * BIRD 2 configuration of one regional collector: per BGP session, one prefix set per family
 * and an import filter in IXP Manager's order (reference circuits-routing.md §7–8). Pure and
 * deterministic: the same input in any order renders byte-identical text.
 *
 * The generator refuses what BIRD would accept silently or what the filter would drop anyway
 * (a `{low,high}` range below the prefix length, bogons, IPv4 in an IPv6 set…): each refused
 * prefix is listed in `rejected` with a reason and never appears in the text. Malformed
 * sessions (names, addresses, ASNs, limits) are the caller's bug and throw a ValidationError.
 */

export interface PrefixInputEntry {
  prefix: string;
  /** Longest more-specific accepted (`{len,maxLength}`); absent = the exact prefix only. */
  maxLength?: number;
}

export interface InstitutionInput {
  shortName: string;
  originAs: number;
  prefixes: PrefixInputEntry[];
}

export interface SessionInput {
  /** Identifier-safe: `[A-Za-z][A-Za-z0-9_]*`. Names the protocol, filter and sets. */
  name: string;
  peerAddress: string;
  peerAsn: number;
  /** Per channel (IPv4, IPv6): `import limit N action restart`. */
  importLimit: number;
  localAddress?: string;
  localAsn?: number;
  institutions: InstitutionInput[];
  /** What the collector sends to the institution; default `none`. */
  export?: 'none' | 'all';
  /** eBGP multihop (sessions between loopbacks); a TTL or true for BIRD's default. */
  multihop?: boolean | number;
  localPort?: number;
  peerPort?: number;
  /** Seconds; BIRD's defaults (5 and 120) when absent. */
  connectDelayTime?: number;
  connectRetryTime?: number;
}

export interface CollectorConfigInput {
  collector: {
    name: string;
    /** IPv4 address, BIRD's router id. */
    routerId: string;
    asn: number;
    /** `import keep filtered on`: rejected routes stay visible (`show route filtered`). */
    keepFiltered?: boolean;
  };
  sessions: SessionInput[];
}

export interface RenderOptions {
  /** Longest IPv4 prefix accepted (default 24). */
  maxLengthV4?: number;
  /** Longest IPv6 prefix accepted (default 48). */
  maxLengthV6?: number;
}

export type RejectionCode =
  | 'INVALID_PREFIX'
  | 'IPV4_IN_IPV6'
  | 'BOGON'
  | 'TOO_LONG'
  | 'INVALID_MAX_LENGTH'
  | 'MAX_LENGTH_BELOW_PREFIX'
  | 'MAX_LENGTH_BEYOND_LIMIT'
  | 'OTHER_INSTITUTION';

export interface RejectedPrefix {
  session: string;
  institution: string;
  prefix: string;
  code: RejectionCode;
  reason: string;
}

export interface RenderedConfig {
  text: string;
  rejected: RejectedPrefix[];
  /** Entries written into the prefix sets, per family. */
  counts: { v4: number; v6: number };
}

const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;
const SHORT_NAME = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/;
const MAX_ASN = 4294967295;
// IPv4-mapped (::ffff:0:0/96) and IPv4-compatible (::/96) space: an IPv4 prefix in disguise.
const V4_IN_V6 = [prefixRange('::ffff:0:0/96'), prefixRange('::/96')];

interface Entry {
  range: PrefixRange;
  /** Canonical prefix text. */
  prefix: string;
  maxLength: number;
  institution: string;
  originAs: number;
}

interface Candidate extends Entry {
  session: string;
}

interface Session extends Omit<SessionInput, 'institutions'> {
  institutions: { shortName: string; originAs: number }[];
  v4: Entry[];
  v6: Entry[];
}

export function renderCollectorConfig(
  input: CollectorConfigInput,
  options: RenderOptions = {},
): RenderedConfig {
  const limitV4 = options.maxLengthV4 ?? 24;
  const limitV6 = options.maxLengthV6 ?? 48;
  checkInt(['maxLengthV4'], limitV4, 0, 32);
  checkInt(['maxLengthV6'], limitV6, 0, 128);
  const { collector } = input;
  const routerId = parseAddress(collector.routerId, ['collector', 'routerId']);
  if (routerId.family !== 4)
    throw ValidationError.field(['collector', 'routerId'], 'must be an IPv4 address');
  checkInt(['collector', 'asn'], collector.asn, 1, MAX_ASN);
  if (!SHORT_NAME.test(collector.name)) {
    throw ValidationError.field(['collector', 'name'], 'printable ASCII, no leading/trailing space');
  }

  const rejected: RejectedPrefix[] = [];
  const candidates: Candidate[] = [];
  const sessions = new Map<string, Session>();
  const symbols = new Map<string, string>();
  input.sessions.forEach((s, i) => {
    const path = ['sessions', i];
    if (!IDENT.test(s.name))
      throw ValidationError.field([...path, 'name'], `"${s.name}" is not identifier-safe`);
    const symbol = s.name.toUpperCase();
    const clash = symbols.get(symbol);
    if (clash !== undefined) {
      throw ValidationError.field([...path, 'name'], `"${s.name}" clashes with session "${clash}"`);
    }
    symbols.set(symbol, s.name);
    const peer = parseAddress(s.peerAddress, [...path, 'peerAddress']).address;
    const local =
      s.localAddress === undefined ? undefined : parseAddress(s.localAddress, [...path, 'localAddress']);
    checkInt([...path, 'peerAsn'], s.peerAsn, 1, MAX_ASN);
    if (s.localAsn !== undefined) checkInt([...path, 'localAsn'], s.localAsn, 1, MAX_ASN);
    checkInt([...path, 'importLimit'], s.importLimit, 1, MAX_ASN);
    for (const k of ['localPort', 'peerPort'] as const) {
      if (s[k] !== undefined) checkInt([...path, k], s[k], 1, 65535);
    }
    for (const k of ['connectDelayTime', 'connectRetryTime'] as const) {
      if (s[k] !== undefined) checkInt([...path, k], s[k], 1, 65535);
    }
    if (typeof s.multihop === 'number') checkInt([...path, 'multihop'], s.multihop, 1, 255);
    if (s.export !== undefined && s.export !== 'none' && s.export !== 'all') {
      throw ValidationError.field([...path, 'export'], 'is "none" or "all"');
    }
    const institutions: Session['institutions'] = [];
    s.institutions.forEach((inst, j) => {
      const ipath = [...path, 'institutions', j];
      if (!SHORT_NAME.test(inst.shortName)) {
        throw ValidationError.field([...ipath, 'shortName'], 'printable ASCII, no leading/trailing space');
      }
      checkInt([...ipath, 'originAs'], inst.originAs, 1, MAX_ASN);
      institutions.push({ shortName: inst.shortName, originAs: inst.originAs });
      for (const p of inst.prefixes) {
        const refuse = (code: RejectionCode, reason: string) =>
          rejected.push({ session: s.name, institution: inst.shortName, prefix: p.prefix, code, reason });
        const c = candidate(p, limitV4, limitV6, refuse);
        if (c)
          candidates.push({ ...c, session: s.name, institution: inst.shortName, originAs: inst.originAs });
      }
    });
    if (sessions.has(s.name)) throw ValidationError.field([...path, 'name'], `duplicate session "${s.name}"`);
    sessions.set(s.name, {
      ...s,
      peerAddress: peer,
      localAddress: local?.address,
      institutions: dedupeInstitutions(institutions),
      v4: [],
      v6: [],
    });
  });

  // One owner per prefix on a collector: the first institution in sorted order keeps it, so the
  // outcome never depends on input order. Same institution listing it twice: merged.
  candidates.sort(byCandidate);
  const owner = new Map<string, Candidate>();
  const seen = new Set<string>();
  for (const c of candidates) {
    const first = owner.get(c.prefix);
    if (first && (first.institution !== c.institution || first.originAs !== c.originAs)) {
      rejected.push({
        session: c.session,
        institution: c.institution,
        prefix: c.prefix,
        code: 'OTHER_INSTITUTION',
        reason: `${c.prefix} is already announced for ${first.institution} (AS${first.originAs}, session ${first.session})`,
      });
      continue;
    }
    owner.set(c.prefix, c);
    const key = `${c.session}\0${c.prefix}\0${c.maxLength}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const session = sessions.get(c.session);
    if (session) (c.range.family === 4 ? session.v4 : session.v6).push(c);
  }

  rejected.sort(
    (a, b) =>
      cmp(a.session, b.session) ||
      cmp(a.institution, b.institution) ||
      cmp(a.prefix, b.prefix) ||
      cmp(a.code, b.code) ||
      cmp(a.reason, b.reason),
  );
  const ordered = [...sessions.values()].sort((a, b) => cmp(a.name, b.name));
  let v4 = 0;
  let v6 = 0;
  for (const s of ordered) {
    v4 += s.v4.length;
    v6 += s.v6.length;
  }
  const text = render(collector, routerId.address, ordered, limitV4, limitV6, {
    v4,
    v6,
    refused: rejected.length,
  });
  return { text, rejected, counts: { v4, v6 } };
}

function candidate(
  p: PrefixInputEntry,
  limitV4: number,
  limitV6: number,
  refuse: (code: RejectionCode, reason: string) => void,
): Omit<Entry, 'institution' | 'originAs'> | undefined {
  let range: PrefixRange;
  let prefix: string;
  try {
    ({ range, prefix } = parseFast(String(p.prefix)));
  } catch {
    try {
      // The slow path, for its precise message (host bits, length…), or an unusual spelling.
      range = prefixRange(parsePrefix(String(p.prefix)));
      prefix = `${bigIntToAddress(range.family, range.first)}/${range.length}`;
    } catch (e) {
      refuse('INVALID_PREFIX', e instanceof Error ? e.message : String(e));
      return undefined;
    }
  }
  const bits = range.family === 4 ? 32 : 128;
  const limit = range.family === 4 ? limitV4 : limitV6;
  if (range.family === 6 && V4_IN_V6.some((m) => m.first <= range.first && range.last <= m.last)) {
    refuse('IPV4_IN_IPV6', `${prefix} is an IPv4 prefix written as IPv6: it has no place in an IPv6 set`);
    return undefined;
  }
  const bogon = bogonOverlapping(range);
  if (bogon) {
    refuse('BOGON', `${prefix} overlaps the bogon ${bogon.prefix}, ${bogon.why}`);
    return undefined;
  }
  if (range.length > limit) {
    refuse('TOO_LONG', `${prefix} is longer than /${limit}, the longest IPv${range.family} prefix accepted`);
    return undefined;
  }
  const maxLength = p.maxLength ?? range.length;
  if (!Number.isInteger(maxLength) || maxLength < 0) {
    refuse('INVALID_MAX_LENGTH', `maxLength ${p.maxLength} is not a prefix length`);
    return undefined;
  }
  if (maxLength < range.length) {
    // BIRD parses `p/24{20,22}` without a word and then matches nothing (reference §8).
    refuse(
      'MAX_LENGTH_BELOW_PREFIX',
      `maxLength ${maxLength} is shorter than the prefix length /${range.length}`,
    );
    return undefined;
  }
  if (maxLength > bits) {
    refuse(
      'MAX_LENGTH_BEYOND_LIMIT',
      `maxLength ${maxLength} is beyond the IPv${range.family} limit of ${bits}`,
    );
    return undefined;
  }
  if (maxLength > limit) {
    refuse(
      'MAX_LENGTH_BEYOND_LIMIT',
      `maxLength ${maxLength} is beyond /${limit}, the longest IPv${range.family} prefix accepted`,
    );
    return undefined;
  }
  return { range, prefix, maxLength };
}

/**
 * Numeric parse without ip-address objects: 60,000 prefixes go through here per collector.
 * Same result as parsePrefix (canonical text, no host bits); throws on anything else.
 */
function parseFast(text: string): { range: PrefixRange; prefix: string } {
  const t = text.trim();
  const slash = t.indexOf('/');
  const len = t.slice(slash + 1);
  if (slash < 0 || !/^\d{1,3}$/.test(len)) throw new Error('not a prefix');
  const family = t.includes(':') ? 6 : 4;
  const first = addressToBigInt(family, t.slice(0, slash));
  const p = makePrefix(family, first, Number(len));
  return { range: blockAt(family, first, p.length), prefix: `${p.address}/${p.length}` };
}

function byCandidate(a: Candidate, b: Candidate): number {
  return (
    byRange(a.range, b.range) ||
    cmp(a.institution, b.institution) ||
    a.originAs - b.originAs ||
    cmp(a.session, b.session) ||
    a.maxLength - b.maxLength
  );
}

function byRange(a: PrefixRange, b: PrefixRange): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.first !== b.first) return a.first < b.first ? -1 : 1;
  return a.length - b.length;
}

function dedupeInstitutions(list: Session['institutions']): Session['institutions'] {
  const seen = new Map<string, Session['institutions'][number]>();
  for (const i of list) seen.set(`${i.shortName}\0${i.originAs}`, i);
  return [...seen.values()].sort((a, b) => cmp(a.shortName, b.shortName) || a.originAs - b.originAs);
}

// Code-unit order, not localeCompare: the same on every machine and locale.
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkInt(path: (string | number)[], value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw ValidationError.field(path, `must be an integer between ${min} and ${max}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Text

function render(
  collector: CollectorConfigInput['collector'],
  routerId: string,
  sessions: Session[],
  limitV4: number,
  limitV6: number,
  totals: { v4: number; v6: number; refused: number },
): string {
  const out: string[] = [
    `# BIRD 2 configuration of collector ${collector.name} (AS${collector.asn}), generated by Guichet.`,
    `# ${sessions.length} sessions, ${totals.v4} IPv4 and ${totals.v6} IPv6 prefix entries, ${totals.refused} refused.`,
    '# Do not edit: regenerate instead.',
    '',
    `router id ${routerId};`,
    '',
    '# Bogons and martians: rejected first by every import filter.',
    ...setLines('BOGONS_V4', bogonSetEntries(4)),
    ...setLines('BOGONS_V6', bogonSetEntries(6)),
    '',
    'protocol device {',
    '}',
  ];
  for (const s of sessions) {
    out.push('', ...sessionLines(collector, s, limitV4, limitV6));
  }
  out.push('');
  return out.join('\n');
}

function setLines(name: string, entries: string[]): string[] {
  return [`define ${name} = [`, ...entries.map((e, i) => `  ${e}${i < entries.length - 1 ? ',' : ''}`), '];'];
}

/** Entries grouped by institution (sorted), each group under a comment naming it. */
function prefixSetLines(name: string, entries: Entry[]): string[] {
  const sorted = [...entries].sort(
    (a, b) =>
      cmp(a.institution, b.institution) ||
      a.originAs - b.originAs ||
      byRange(a.range, b.range) ||
      a.maxLength - b.maxLength,
  );
  const lines = [`define ${name} = [`];
  let group = '';
  sorted.forEach((e, i) => {
    const g = `${e.institution} (AS${e.originAs})`;
    if (g !== group) {
      lines.push(`  # ${g}`);
      group = g;
    }
    const text = e.maxLength === e.range.length ? e.prefix : `${e.prefix}{${e.range.length},${e.maxLength}}`;
    lines.push(`  ${text}${i < sorted.length - 1 ? ',' : ''}`);
  });
  lines.push('];');
  return lines;
}

function sessionLines(
  collector: CollectorConfigInput['collector'],
  s: Session,
  limitV4: number,
  limitV6: number,
): string[] {
  const id = s.name.toUpperCase();
  const sets = { 4: `S_${id}_V4`, 6: `S_${id}_V6` } as const;
  const filter = `f_import_${s.name}`;
  const who = s.institutions.map((i) => `${i.shortName} (AS${i.originAs})`).join(', ') || 'no institution';
  const out = [`# Session ${s.name}: ${s.peerAddress} AS${s.peerAsn}, for ${who}.`];
  for (const [family, entries] of [
    [4, s.v4],
    [6, s.v6],
  ] as const) {
    // BIRD rejects an empty set literal: no set at all, and the filter denies the family.
    if (entries.length) out.push(...prefixSetLines(sets[family], entries));
    else out.push(`# ${sets[family]}: no IPv${family} prefix, every IPv${family} route is rejected.`);
  }
  const origins = [...new Set(s.institutions.map((i) => i.originAs))].sort((a, b) => a - b);
  const allowed = (family: 4 | 6, entries: Entry[]) =>
    entries.length
      ? `  if net.type = NET_IP${family} && ! (net ~ ${sets[family]}) then reject;`
      : `  if net.type = NET_IP${family} then reject;`;
  out.push(
    `filter ${filter} {`,
    '  # 1. Bogons and martians.',
    '  if net.type = NET_IP4 && net ~ BOGONS_V4 then reject;',
    '  if net.type = NET_IP6 && net ~ BOGONS_V6 then reject;',
    `  # 2. Too long: IPv4 longer than /${limitV4}, IPv6 longer than /${limitV6}.`,
    `  if net.type = NET_IP4 && net.len > ${limitV4} then reject;`,
    `  if net.type = NET_IP6 && net.len > ${limitV6} then reject;`,
    "  # 3. Not in the session's allowed prefixes.",
    allowed(4, s.v4),
    allowed(6, s.v6),
    // Nothing allowed: the filter ends here, with no `accept` anywhere in it.
    ...(s.v4.length + s.v6.length === 0
      ? ['  reject;']
      : [
          '  # 4. Origin AS.',
          origins.length === 1
            ? `  if bgp_path.last != ${origins[0]} then reject;`
            : `  if ! (bgp_path.last ~ [ ${origins.join(', ')} ]) then reject;`,
          '  accept;',
        ]),
    '}',
  );
  const local = [
    'local',
    ...(s.localAddress ? [s.localAddress] : []),
    ...(s.localPort ? ['port', String(s.localPort)] : []),
    'as',
    String(s.localAsn ?? collector.asn),
  ].join(' ');
  const neighbor = ['neighbor', s.peerAddress, ...(s.peerPort ? ['port', String(s.peerPort)] : [])].join(' ');
  const channel = (family: 4 | 6) => [
    `  ipv${family} {`,
    `    import filter ${filter};`,
    `    import limit ${s.importLimit} action restart;`,
    ...(collector.keepFiltered ? ['    import keep filtered on;'] : []),
    `    export ${s.export ?? 'none'};`,
    '  };',
  ];
  out.push(
    `protocol bgp p_${s.name} {`,
    `  ${local};`,
    `  ${neighbor} as ${s.peerAsn};`,
    ...(s.multihop === true
      ? ['  multihop;']
      : typeof s.multihop === 'number'
        ? [`  multihop ${s.multihop};`]
        : []),
    ...(s.connectDelayTime ? [`  connect delay time ${s.connectDelayTime};`] : []),
    ...(s.connectRetryTime ? [`  connect retry time ${s.connectRetryTime};`] : []),
    ...channel(4),
    ...channel(6),
    '}',
  );
  return out;
}
