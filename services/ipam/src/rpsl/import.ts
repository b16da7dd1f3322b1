import { parsePrefix } from '@guichet/net';
import { objectRefusals } from './builders.js';
import { primaryKey, type RpslObject, rpslValue } from './model.js';
import { parseInetnumKey, rangeAsPrefix, rangeToPrefixes } from './range.js';
import { isKnownStatus, normaliseStatus } from './status.js';

/**
 * The pure half of migrating an operator onto Guichet: given the objects parsed from their
 * RIPE split-file text and what Guichet already holds, decide what to create. The ipam
 * service writes `toCreate` in one transaction; running the same text again then yields
 * only `unchanged`, which is what makes the import safe to repeat.
 *
 * An inetnum whose range is not one CIDR block is REPORTED, never converted: splitting it
 * would leave Guichet holding objects that match nothing in the RIPE database (permanent
 * drift), and widening it to a covering prefix would claim addresses that are not ours. The
 * reason lists the exact decomposition so the operator can fix the registration first.
 */

/** What the ipam tables hold for one assignment or pool, as far as the import cares. */
export interface ExistingRegistration {
  prefix: string;
  netname: string;
  status?: string | null;
}

export interface ImportItem {
  /** RIPE primary key as written in the text. */
  key: string;
  /** Canonical CIDR prefix. */
  prefix: string;
  family: 4 | 6;
  netname: string;
  status: string;
  object: RpslObject;
}

export interface ImportIssue {
  key: string;
  reason: string;
}

export interface ImportPlan {
  toCreate: ImportItem[];
  unchanged: ImportItem[];
  conflicts: ImportIssue[];
  /** Objects that are not address registrations (route, route6): left to their own import. */
  skipped: ImportIssue[];
}

function prefixOf(obj: RpslObject): { prefix: string; family: 4 | 6 } | { problem: string } {
  const key = rpslValue(obj, obj.type) ?? '';
  try {
    if (obj.type === 'inetnum') {
      const range = parseInetnumKey(key);
      const single = rangeAsPrefix(range);
      if (single) return { prefix: single, family: 4 };
      const parts = rangeToPrefixes(range);
      return {
        problem: `range is not a single CIDR prefix (it is ${parts.length} prefixes: ${parts.join(', ')}); not converted — split or correct the registration first`,
      };
    }
    const p = parsePrefix(key);
    if (p.family !== 6) return { problem: `"${key}" is not an IPv6 prefix` };
    return { prefix: `${p.address}/${p.length}`, family: 6 };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

const same = (a: string | null | undefined, b: string | null | undefined) =>
  (a ?? '').trim().toUpperCase() === (b ?? '').trim().toUpperCase();

function canonical(prefix: string): string | undefined {
  try {
    const p = parsePrefix(prefix);
    return `${p.address}/${p.length}`;
  } catch {
    return undefined;
  }
}

export function planImport(parsed: RpslObject[], existing: ExistingRegistration[]): ImportPlan {
  const plan: ImportPlan = { toCreate: [], unchanged: [], conflicts: [], skipped: [] };
  const held = new Map<string, ExistingRegistration>();
  for (const e of existing) {
    const c = canonical(e.prefix);
    if (c) held.set(c, e);
  }
  const seen = new Map<string, ImportItem>();

  for (const obj of parsed) {
    const key = primaryKey(obj);
    if (obj.type === 'route' || obj.type === 'route6') {
      plan.skipped.push({ key, reason: `${obj.type} objects are routing data, not address registrations` });
      continue;
    }
    const where = prefixOf(obj);
    if ('problem' in where) {
      plan.conflicts.push({ key, reason: where.problem });
      continue;
    }
    const refusals = objectRefusals(obj);
    if (refusals.length) {
      plan.conflicts.push({ key, reason: refusals.map((r) => r.message).join('; ') });
      continue;
    }
    const family = where.family;
    const status = normaliseStatus(rpslValue(obj, 'status') ?? '');
    if (!isKnownStatus(status, family)) {
      plan.conflicts.push({ key, reason: `unknown ${obj.type} status "${status}"` });
      continue;
    }
    const item: ImportItem = {
      key,
      prefix: where.prefix,
      family,
      netname: (rpslValue(obj, 'netname') ?? '').trim(),
      status,
      object: obj,
    };

    const dup = seen.get(item.prefix);
    if (dup) {
      // The same object twice (two overlapping exports concatenated) is harmless; two
      // different registrations of one prefix is a contradiction the operator must settle.
      if (!same(dup.netname, item.netname) || dup.status !== item.status) {
        plan.conflicts.push({
          key,
          reason: `${item.prefix} appears twice in the text: ${dup.netname} ${dup.status} and ${item.netname} ${item.status}`,
        });
      }
      continue;
    }
    seen.set(item.prefix, item);

    const h = held.get(item.prefix);
    if (!h) {
      plan.toCreate.push(item);
    } else if (
      same(h.netname, item.netname) &&
      (h.status == null || same(normaliseStatus(h.status), status))
    ) {
      plan.unchanged.push(item);
    } else {
      plan.conflicts.push({
        key,
        reason: `Guichet holds ${item.prefix} as ${h.netname}${h.status ? ` ${normaliseStatus(h.status)}` : ''}; the text says ${item.netname} ${item.status}`,
      });
    }
  }
  return plan;
}
