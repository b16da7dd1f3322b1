import { normalisedKey, primaryKey, type RpslObject } from './model.js';

/**
 * What Guichet holds vs what the RIPE database returns. Pure; the caller fetches `remote`
 * (GET ?unfiltered for each held key, or a search) and decides what to do with the report.
 *
 * Comparison follows whois's own notion of "identical" (CIString clean values) so that the
 * report only shows changes a person would call changes:
 * - attribute names case-insensitive, whitespace collapsed;
 * - `created` / `last-modified` ignored (the database generates them);
 * - values case-insensitive, except free text (`descr`, `remarks`), where a case edit is an edit;
 * - multi-valued attributes compared as multisets, except free text, whose line order is its
 *   meaning (a descr split over three lines reads differently reordered).
 */

export interface DriftDifference {
  /** Primary key as Guichet holds it (`192.0.2.0 - 192.0.2.255`, `2001:db8::/48`). */
  key: string;
  attribute: string;
  held: string[];
  remote: string[];
}

export interface DriftReport {
  missingRemotely: RpslObject[];
  extraRemotely: RpslObject[];
  differing: DriftDifference[];
}

const IGNORED = new Set(['created', 'last-modified']);
const FREE_TEXT = new Set(['descr', 'remarks']);

const squash = (v: string) => v.replace(/\s+/g, ' ').trim();

function grouped(obj: RpslObject): Map<string, string[]> {
  const m = new Map<string, string[]>();
  // The key attribute is skipped: objects were matched on its normalised form already, and a
  // re-spaced range ("a-b" vs "a - b") is not drift.
  for (const a of obj.attributes.slice(1)) {
    const name = a.name.toLowerCase();
    if (IGNORED.has(name)) continue;
    const vs = m.get(name) ?? [];
    vs.push(squash(a.value));
    m.set(name, vs);
  }
  return m;
}

function comparable(name: string, vs: string[]): string[] {
  if (FREE_TEXT.has(name)) return vs;
  return vs.map((v) => v.toLowerCase()).sort();
}

function sameValues(name: string, a: string[], b: string[]): boolean {
  const x = comparable(name, a);
  const y = comparable(name, b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

export function driftReport(held: RpslObject[], remote: RpslObject[]): DriftReport {
  const remoteByKey = new Map(remote.map((o) => [normalisedKey(o), o]));
  const heldKeys = new Set<string>();
  const report: DriftReport = { missingRemotely: [], extraRemotely: [], differing: [] };

  for (const h of held) {
    const k = normalisedKey(h);
    heldKeys.add(k);
    const r = remoteByKey.get(k);
    if (!r) {
      report.missingRemotely.push(h);
      continue;
    }
    const hg = grouped(h);
    const rg = grouped(r);
    const names = [...hg.keys(), ...[...rg.keys()].filter((n) => !hg.has(n))];
    for (const name of names) {
      const hv = hg.get(name) ?? [];
      const rv = rg.get(name) ?? [];
      if (!sameValues(name, hv, rv)) {
        report.differing.push({ key: primaryKey(h), attribute: name, held: hv, remote: rv });
      }
    }
  }
  for (const r of remote) if (!heldKeys.has(normalisedKey(r))) report.extraRemotely.push(r);
  return report;
}

/** True when nothing differs: the report a reconciliation job hopes for. */
export function isInSync(report: DriftReport): boolean {
  return !report.missingRemotely.length && !report.extraRemotely.length && !report.differing.length;
}
