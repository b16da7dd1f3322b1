import { getKind } from '../kinds.js';
import { DEFAULT_SLA, type SlaTargets } from './rules.js';

/**
 * SLA targets and queue of a request kind. A registered kind (kinds.ts) carries both; an
 * explicit `setSlaTargets` overrides the kind's `sla` (an operator's tuning, or a kind defined
 * elsewhere); a kind known to neither gets DEFAULT_SLA (response 4 h, resolution 5 days, real
 * minutes). A ticket copies its targets when it is opened, so changing them later does not
 * move running tickets' goalposts.
 */
const overrides = new Map<string, SlaTargets>();

function check(kind: string, t: SlaTargets): SlaTargets {
  for (const [k, v] of Object.entries(t)) {
    if (!Number.isInteger(v) || v <= 0)
      throw new Error(`SLA of "${kind}": ${k} must be a positive whole number`);
  }
  if (t.responseMinutes > t.resolutionMinutes) {
    throw new Error(`SLA of "${kind}": the response target cannot exceed the resolution target`);
  }
  return { responseMinutes: t.responseMinutes, resolutionMinutes: t.resolutionMinutes };
}

export function setSlaTargets(kind: string, t: SlaTargets): void {
  overrides.set(kind, check(kind, t));
}

export function slaTargets(kind: string): SlaTargets {
  const own = overrides.get(kind);
  if (own) return own;
  const def = getKind(kind);
  return def ? check(kind, def.sla) : DEFAULT_SLA;
}

/** The NOC queue: the kind's own, else its service line (`ipam.prefix` → `ipam`). */
export function queueOf(kind: string): string {
  const def = getKind(kind);
  if (def) return def.queue;
  const dot = kind.indexOf('.');
  return dot > 0 ? kind.slice(0, dot) : kind;
}

/** The kind's title for people (emails, the queue), or its name when unregistered. */
export function kindTitle(kind: string): string {
  return getKind(kind)?.title ?? kind;
}
