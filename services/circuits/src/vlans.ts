import { type FieldIssue, ValidationError } from '@guichet/core';

/**
 * VLAN ids, ranges, QinQ and L2 MTU (reference circuits-routing.md §4). Pure.
 *
 * - A VID is 12 bits; 0 (priority tag) and 4095 are reserved by 802.1Q: usable VIDs are 1–4094.
 * - A scope (a port, or a regional handoff) has several ranges; PostgreSQL keeps them as one
 *   `int4multirange` (sorted, merged), so two ranges of a scope can never overlap.
 * - Each 802.1Q tag is 4 bytes: the L2 MTU a hop needs is payload + 4 × tags. Carrying 1500-byte
 *   payloads over QinQ (two tags) needs 1508 on every hop, regional segments included.
 */

export const VID_MIN = 1;
export const VID_MAX = 4094;
export const TAG_BYTES = 4;
export const DEFAULT_PAYLOAD_MTU = 1500;

export interface VidRange {
  from: number;
  to: number;
}

/** Why a VID is not usable, or undefined when it is. */
export function vidProblem(vid: number): string | undefined {
  if (!Number.isInteger(vid)) return `${vid} is not an integer`;
  if (vid === 0) return 'VID 0 is the 802.1Q priority tag, never a VLAN';
  if (vid === 4095) return 'VID 4095 is reserved by 802.1Q';
  if (vid < VID_MIN || vid > VID_MAX) return `${vid} is outside 1–4094`;
  return undefined;
}

/** Checks ranges given by staff; refuses 0, 4095, anything outside 1–4094 and from > to. */
export function checkRanges(ranges: readonly VidRange[], path: (string | number)[]): VidRange[] {
  const issues: FieldIssue[] = [];
  ranges.forEach((r, i) => {
    for (const k of ['from', 'to'] as const) {
      const p = vidProblem(r[k]);
      if (p) issues.push({ path: [...path, i, k], message: p });
    }
    if (r.from > r.to) issues.push({ path: [...path, i], message: `from ${r.from} is after to ${r.to}` });
  });
  if (issues.length) {
    throw new ValidationError(issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), issues);
  }
  return normaliseRanges(ranges);
}

/** Sorted, with overlapping and adjacent ranges merged (what the multirange stores). */
export function normaliseRanges(ranges: readonly VidRange[]): VidRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from || a.to - b.to);
  const out: VidRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/** `{[1,100],[200,300]}` for PostgreSQL (inclusive bounds; it canonicalises to `[1,101)`). */
export function multirangeLiteral(ranges: readonly VidRange[]): string {
  return `{${normaliseRanges(ranges)
    .map((r) => `[${r.from},${r.to}]`)
    .join(',')}}`;
}

/** Reads PostgreSQL's canonical int4multirange text (`{[1,101),[200,301)}`) back into ranges. */
export function parseMultirange(text: string): VidRange[] {
  const out: VidRange[] = [];
  for (const m of text.matchAll(/([[(])(\d+),(\d+)([\])])/g)) {
    const from = Number(m[2]) + (m[1] === '(' ? 1 : 0);
    const to = Number(m[3]) - (m[4] === ')' ? 1 : 0);
    if (from <= to) out.push({ from, to });
  }
  return normaliseRanges(out);
}

export function inRanges(vid: number, ranges: readonly VidRange[]): boolean {
  return ranges.some((r) => vid >= r.from && vid <= r.to);
}

export function rangeSize(ranges: readonly VidRange[]): number {
  return normaliseRanges(ranges).reduce((n, r) => n + r.to - r.from + 1, 0);
}

/** `1-100, 200, 300-310`: how people write VLAN lists. */
export function rangesText(ranges: readonly VidRange[]): string {
  return (
    normaliseRanges(ranges)
      .map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`))
      .join(', ') || 'none'
  );
}

/** The same, from a list of single VIDs. */
export function vidsText(vids: readonly number[]): string {
  return rangesText(vids.map((v) => ({ from: v, to: v })));
}

/** Free runs of a scope: its ranges minus the VIDs in use. */
export function freeRuns(ranges: readonly VidRange[], used: readonly number[]): VidRange[] {
  const taken = new Set(used);
  const out: VidRange[] = [];
  for (const r of normaliseRanges(ranges)) {
    let start: number | undefined;
    for (let v = r.from; v <= r.to + 1; v++) {
      const free = v <= r.to && !taken.has(v);
      if (free && start === undefined) start = v;
      if (!free && start !== undefined) {
        out.push({ from: start, to: v - 1 });
        start = undefined;
      }
    }
  }
  return out;
}

/** Duplicate or unusable C-VLANs of an S-VLAN's set; the set itself, sorted. */
export function checkCvlans(cvids: readonly number[], path: (string | number)[]): number[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<number>();
  cvids.forEach((c, i) => {
    const p = vidProblem(c);
    if (p) issues.push({ path: [...path, i], message: p });
    else if (seen.has(c)) issues.push({ path: [...path, i], message: `C-VLAN ${c} is listed twice` });
    seen.add(c);
  });
  if (issues.length) {
    throw new ValidationError(issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), issues);
  }
  return [...seen].sort((a, b) => a - b);
}

/** The L2 MTU a hop needs to carry `payload` bytes under `tags` 802.1Q tags. */
export function requiredMtu(payload: number, tags: number): number {
  return payload + TAG_BYTES * tags;
}

export interface Hop {
  /** How the NOC names it: `port par1-acc1 xe-0/0/3`, `regional segment SYRHANO`. */
  name: string;
  l2Mtu: number;
  tags: number;
}

export interface MtuShortfall extends Hop {
  required: number;
}

/** Every hop whose L2 MTU is below payload + 4 × its tags (empty: the path carries it). */
export function mtuShortfalls(payload: number, hops: readonly Hop[]): MtuShortfall[] {
  return hops
    .map((h) => ({ ...h, required: requiredMtu(payload, h.tags) }))
    .filter((h) => h.l2Mtu < h.required);
}
