import { recordChange } from '@guichet/audit';
import type { RequestContext } from '@guichet/core';
import { and, type Db, eq, ne, type Tx } from '@guichet/db';
import type { Registry } from '../epp/registry.js';
import type { PollMessage } from '../epp/types.js';
import { domains, pollMessages } from '../tables.js';
import { recordDomain } from './resource.js';

/**
 * Draining the registry's poll queue. For each message, in this order:
 *   1. `poll req` (the message stays at the head of the registry's queue);
 *   2. ONE transaction: store it (unique registry id) and, only if this insert is the first,
 *      act on it (a deletion by the registry deletes the domain, a transfer out releases it…);
 *   3. `poll ack` (the registry dequeues it); 4. note the ack.
 * A worker killed between 2 and 3 finds the same message at the head next time: the insert
 * conflicts, so nothing is done twice, and the ack goes out. Killed before 2 commits: nothing
 * was stored or done, and the message is still there. Nothing is lost, nothing acted on twice.
 */

export interface DrainResult {
  stored: number;
  acted: string[];
  acked: number;
}

async function act(tx: Tx, ctx: RequestContext, m: PollMessage, clID: string): Promise<string> {
  const name = m.domain;
  if (!name)
    return m.kind === 'qualification' ? `qualification of ${m.contact ?? '?'}: ${m.outcome ?? '?'}` : 'none';
  const [row] = await tx
    .select()
    .from(domains)
    .where(and(eq(domains.name, name), ne(domains.state, 'deleted')))
    .for('update');
  if (!row) return `none: ${name} is not a name Guichet holds`;
  const now = ctx.clock.now();
  const change = async (set: Partial<typeof domains.$inferInsert>, what: string) => {
    const [after] = await tx
      .update(domains)
      .set({ ...set, updatedAt: now })
      .where(eq(domains.id, row.id))
      .returning();
    await recordChange(tx, ctx, {
      action: `domains.poll.${m.kind}`,
      objectType: 'Domain',
      objectId: row.id,
      institutionId: row.institutionId,
      before: { ...row, authInfoSealed: undefined },
      after: { ...after, authInfoSealed: undefined, pollMessage: m.id },
    });
    if (after) await recordDomain(tx, ctx, after);
    return what;
  };
  switch (m.kind) {
    case 'deletion':
      // A deletion made by AFNIC itself starts no redemption period (fr-domains.md §5).
      return change(
        { state: 'deleted', deletedAt: now, redemptionUntil: null },
        `${name} deleted by the registry`,
      );
    case 'transfer':
      if (m.outcome === 'serverApproved' || m.outcome === 'clientApproved') {
        // The name left for another registrar (ours would have been answered at the request).
        if (m.gainingRegistrar && m.gainingRegistrar !== clID)
          return change({ state: 'deleted', deletedAt: now }, `${name} transferred to another registrar`);
      }
      return `transfer of ${name}: ${m.outcome ?? '?'}`;
    case 'zonecheck':
      return `registry zone check of ${name}: ${m.outcome ?? '?'}`;
    default:
      return `${m.kind} on ${name}: ${m.outcome ?? m.text}`;
  }
}

/** Stores a message and acts on it, once: false when it was stored before (a replay). */
export async function storeAndAct(
  db: Db,
  ctx: RequestContext,
  m: PollMessage,
  clID: string,
): Promise<{ first: boolean; action: string }> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(pollMessages)
      .values({
        registryId: m.id,
        kind: m.kind,
        domain: m.domain ?? null,
        contact: m.contact ?? null,
        outcome: m.outcome ?? null,
        text: m.text,
        raw: m.raw,
        queuedAt: m.qDate ? new Date(m.qDate) : null,
        receivedAt: ctx.clock.now(),
        action: 'pending',
      })
      .onConflictDoNothing({ target: pollMessages.registryId })
      .returning({ id: pollMessages.id });
    const row = inserted[0];
    if (!row) {
      const [prev] = await tx.select().from(pollMessages).where(eq(pollMessages.registryId, m.id));
      return { first: false, action: prev?.action ?? 'none' };
    }
    const action = await act(tx, ctx, m, clID);
    await tx.update(pollMessages).set({ action }).where(eq(pollMessages.id, row.id));
    return { first: true, action };
  });
}

/** Drains the queue (at most `max` messages a run). `afterStore` is a test hook (a kill point). */
export async function drainPoll(
  db: Db,
  ctx: RequestContext,
  registry: Registry,
  opts: { max?: number; afterStore?: (m: PollMessage) => Promise<void> } = {},
): Promise<DrainResult> {
  const out: DrainResult = { stored: 0, acted: [], acked: 0 };
  for (let i = 0; i < (opts.max ?? 100); i++) {
    const m = await registry.pollRequest();
    if (!m) break;
    const r = await storeAndAct(db, ctx, m, registry.clID);
    if (r.first) {
      out.stored++;
      out.acted.push(r.action);
    }
    await opts.afterStore?.(m);
    await registry.pollAck(m.id);
    out.acked++;
    await db.update(pollMessages).set({ ackedAt: ctx.clock.now() }).where(eq(pollMessages.registryId, m.id));
  }
  return out;
}
