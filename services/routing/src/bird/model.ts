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
import { bogonOverlapping } from './bogons.js';
import { byRange, cmp, type Entry, render, type Session } from './render.js';
import type {
  CollectorConfigInput,
  PrefixInputEntry,
  RejectedPrefix,
  RejectionCode,
  RenderedConfig,
  RenderOptions,
} from './types.js';

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

const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;
const SHORT_NAME = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/;
const MAX_ASN = 4294967295;
// IPv4-mapped (::ffff:0:0/96) and IPv4-compatible (::/96) space: an IPv4 prefix in disguise.
const V4_IN_V6 = [prefixRange('::ffff:0:0/96'), prefixRange('::/96')];

interface Candidate extends Entry {
  session: string;
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

function dedupeInstitutions(list: Session['institutions']): Session['institutions'] {
  const seen = new Map<string, Session['institutions'][number]>();
  for (const i of list) seen.set(`${i.shortName}\0${i.originAs}`, i);
  return [...seen.values()].sort((a, b) => cmp(a.shortName, b.shortName) || a.originAs - b.originAs);
}

function checkInt(path: (string | number)[], value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw ValidationError.field(path, `must be an integer between ${min} and ${max}`);
  }
}
