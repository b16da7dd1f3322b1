import { PolicyRefusalError, ValidationError } from '@guichet/core';
import { parsePrefix } from '@guichet/net';
import { type RpslAttribute, type RpslObject, type RpslType, rpslValue, rpslValues } from './model.js';
import { formatRange, parseInetnumKey, prefixToRange } from './range.js';
import { checkAggregatedByLir, isKnownStatus, knownStatuses, normaliseStatus } from './status.js';

/**
 * Builders for the objects an LIR writes, and the template checks (reference ripe-ipam.md §4,
 * whois ObjectTemplate). The attribute order follows the RIPE templates so the rendered text
 * reads like what the database returns and diffs stay small.
 */

const MANDATORY: Record<RpslType, string[]> = {
  inetnum: ['inetnum', 'netname', 'country', 'admin-c', 'tech-c', 'status', 'mnt-by', 'source'],
  inet6num: ['inet6num', 'netname', 'country', 'admin-c', 'tech-c', 'status', 'mnt-by', 'source'],
  route: ['route', 'origin', 'mnt-by', 'source'],
  route6: ['route6', 'origin', 'mnt-by', 'source'],
};

/** Mandatory attributes that are absent or empty, in template order. */
export function missingMandatory(obj: RpslObject): string[] {
  const missing = MANDATORY[obj.type].filter((n) => !rpslValues(obj, n).some((v) => v.trim() !== ''));
  // whois makes assignment-size mandatory on inet6num AGGREGATED-BY-LIR only (optional on inetnum).
  if (
    obj.type === 'inet6num' &&
    normaliseStatus(rpslValue(obj, 'status') ?? '') === 'AGGREGATED-BY-LIR' &&
    rpslValues(obj, 'assignment-size').length === 0
  ) {
    missing.push('assignment-size');
  }
  return missing;
}

/** Throws a PolicyRefusalError naming the first missing attribute (whois: "Mandatory attribute "%s" is missing"). */
export function checkMandatory(obj: RpslObject): void {
  const [first, ...others] = missingMandatory(obj);
  if (first === undefined) return;
  const more = others.length ? ` (also missing: ${others.join(', ')})` : '';
  throw new PolicyRefusalError(
    'ripe.mandatory-attribute',
    `${obj.type}: Mandatory attribute "${first}" is missing${more}`,
  );
}

export interface AssignmentInput {
  prefix: string;
  netname: string;
  country: string | string[];
  adminC: string[];
  techC: string[];
  mntBy: string[];
  status: string;
  source: string;
  descr?: string | string[];
  org?: string;
  abuseC?: string;
  /** Only with status AGGREGATED-BY-LIR (mandatory for inet6num, optional for inetnum). */
  assignmentSize?: number;
  remarks?: string[];
  notify?: string[];
  mntLower?: string[];
  mntRoutes?: string[];
  mntDomains?: string[];
}

const NETNAME = /^[A-Za-z][A-Za-z0-9_-]{0,79}$/;
const COUNTRY = /^[A-Za-z]{2}$/;

const list = (v: string | string[] | undefined): string[] =>
  (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((s) => s.trim()).filter((s) => s !== '');

function build(type: 'inetnum' | 'inet6num', key: string, family: 4 | 6, length: number, i: AssignmentInput) {
  if (!NETNAME.test(i.netname.trim())) {
    throw ValidationError.field(
      ['netname'],
      `"${i.netname}" is not a valid netname (letter, then letters, digits, _ or -)`,
    );
  }
  const countries = list(i.country).map((c) => {
    if (!COUNTRY.test(c)) throw ValidationError.field(['country'], `"${c}" is not a two-letter country code`);
    return c.toUpperCase();
  });
  if (!isKnownStatus(i.status, family)) {
    throw ValidationError.field(
      ['status'],
      `"${i.status}" is not a valid ${type} status (expected one of ${knownStatuses(family).join(', ')})`,
    );
  }
  const status = normaliseStatus(i.status);

  const attrs: RpslAttribute[] = [];
  const add = (name: string, vs: string[]) => {
    for (const v of vs) attrs.push({ name, value: v });
  };
  add(type, [key]);
  add('netname', [i.netname.trim().toUpperCase()]);
  add('descr', list(i.descr));
  add('country', countries);
  add('org', list(i.org));
  add('admin-c', list(i.adminC));
  add('tech-c', list(i.techC));
  add('abuse-c', list(i.abuseC));
  add('status', [status]);
  if (i.assignmentSize !== undefined) add('assignment-size', [String(i.assignmentSize)]);
  add('remarks', list(i.remarks));
  add('notify', list(i.notify));
  add('mnt-by', list(i.mntBy));
  add('mnt-lower', list(i.mntLower));
  add('mnt-routes', list(i.mntRoutes));
  add('mnt-domains', list(i.mntDomains));
  add('source', [i.source.trim().toUpperCase()]);
  const obj: RpslObject = { type, attributes: attrs };
  checkMandatory(obj);
  const refusal = checkAggregatedByLir({
    family,
    prefixLength: length,
    status,
    assignmentSize: i.assignmentSize,
    ancestors: [],
  });
  if (refusal) throw refusal;
  return obj;
}

/** An inetnum for an IPv4 CIDR prefix; the key is the RIPE range `a.b.c.d - e.f.g.h`. */
export function inetnumFor(input: AssignmentInput): RpslObject {
  const range = prefixToRange(input.prefix);
  const length = parsePrefix(input.prefix).length;
  return build('inetnum', formatRange(range), 4, length, input);
}

/** An inet6num; the key is the prefix in canonical (RFC 5952) form. */
export function inet6numFor(input: AssignmentInput): RpslObject {
  const p = parsePrefix(input.prefix, ['prefix']);
  if (p.family !== 6) throw ValidationError.field(['prefix'], `"${input.prefix}" is not an IPv6 prefix`);
  return build('inet6num', `${p.address}/${p.length}`, 6, p.length, input);
}

/** Either builder by the prefix's family. */
export function assignmentObjectFor(input: AssignmentInput): RpslObject {
  return parsePrefix(input.prefix, ['prefix']).family === 4 ? inetnumFor(input) : inet6numFor(input);
}

/**
 * Mandatory attributes plus the object's own assignment-size/status consistency, for objects
 * that did not come from a builder (imported text, what RIPE returned). Returns the refusals.
 */
export function objectRefusals(obj: RpslObject): PolicyRefusalError[] {
  const out: PolicyRefusalError[] = [];
  try {
    checkMandatory(obj);
  } catch (e) {
    out.push(e as PolicyRefusalError);
  }
  if (obj.type !== 'inetnum' && obj.type !== 'inet6num') return out;
  const family = obj.type === 'inetnum' ? 4 : 6;
  const status = rpslValue(obj, 'status');
  const sizeText = rpslValue(obj, 'assignment-size');
  let length: number | undefined;
  try {
    const key = rpslValue(obj, obj.type) ?? '';
    if (family === 6) length = parsePrefix(key).length;
    else {
      const r = parseInetnumKey(key);
      const size = r.end - r.start + 1;
      // A range that is not a power of two has no prefix length; skip the size rules for it.
      if (Number.isInteger(Math.log2(size))) length = 32 - Math.log2(size);
    }
  } catch {
    // Key syntax is reported by the caller (import names it); nothing more to check here.
  }
  if (status && length !== undefined && isKnownStatus(status, family)) {
    const refusal = checkAggregatedByLir({
      family,
      prefixLength: length,
      status,
      assignmentSize: sizeText === undefined ? undefined : Number(sizeText),
      ancestors: [],
    });
    if (refusal && refusal.rule !== 'ripe.assignment-size.missing') out.push(refusal);
  }
  return out;
}
