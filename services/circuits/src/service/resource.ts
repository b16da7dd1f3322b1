import type { RequestContext } from '@guichet/core';
import type { Tx } from '@guichet/db';
import { type ResourceState, recordResource } from '@guichet/workflow';
import { type CircuitState, circuitReference } from '../model.js';
import type { circuits } from '../tables.js';

/**
 * Records the circuit — and its backup path, when one was asked — in the cross-line resources,
 * in the caller's transaction. A circuit's state IS the common lifecycle, word for word.
 */
export async function recordCircuit(
  tx: Tx,
  ctx: RequestContext,
  c: typeof circuits.$inferSelect,
  requestId: string | null = null,
): Promise<void> {
  const state = c.state as CircuitState satisfies ResourceState;
  const name = `${circuitReference(c.number)} ${c.name}`;
  const base = {
    line: 'circuits',
    objectId: c.id,
    institutionId: c.institutionId,
    state,
    lineState: c.state,
    requestId,
  };
  await recordResource(tx, ctx, { ...base, type: 'Circuit', name });
  if (c.backup)
    await recordResource(tx, ctx, { ...base, type: 'CircuitBackup', name: `${name} (backup path)` });
}
