import type { FieldIssue } from '@guichet/core';
import type { Design, EndpointFact } from './facts.js';

/**
 * The shape of a design against the circuit's endpoints: every endpoint designed once on the
 * primary path, once on the backup path when a backup was asked, and nothing else. Field paths
 * point into the NOC's input (`attachments.2.endpointId`).
 */
export function designShapeIssues(
  design: Pick<Design, 'attachments'>,
  endpoints: readonly Pick<EndpointFact, 'id' | 'label'>[],
  backup: boolean,
  path: (string | number)[] = ['attachments'],
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const known = new Set(endpoints.map((e) => e.id));
  const seen = new Set<string>();
  design.attachments.forEach((a, i) => {
    if (!known.has(a.endpointId)) {
      issues.push({ path: [...path, i, 'endpointId'], message: 'not an endpoint of this circuit' });
      return;
    }
    if (a.path === 'backup' && !backup) {
      issues.push({ path: [...path, i, 'path'], message: 'no backup was asked for this circuit' });
      return;
    }
    const key = `${a.endpointId}/${a.path}`;
    if (seen.has(key))
      issues.push({ path: [...path, i], message: `the ${a.path} path of this endpoint is designed twice` });
    seen.add(key);
  });
  for (const e of endpoints) {
    for (const p of backup ? (['primary', 'backup'] as const) : (['primary'] as const)) {
      if (!seen.has(`${e.id}/${p}`)) issues.push({ path, message: `${e.label}: no ${p} attachment` });
    }
  }
  return issues;
}
