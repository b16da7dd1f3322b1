import { and, type Db, eq, one, sql } from '@guichet/db';
import { type PrdHead, renderPrdZone } from '../prd.js';
import { domains, prdZone } from '../tables.js';

/**
 * Renders a new version of `.prd.fr` from the database: the serial is bumped and the text kept
 * in one short transaction; checking it (named-checkzone) and pushing it to the server happen
 * after, outside any transaction (the runtime's publisher does that).
 */
export async function renderPrdVersion(
  db: Db,
  head: Omit<PrdHead, 'serial'>,
): Promise<{ serial: number; text: string }> {
  return db.transaction(async (tx) => {
    // A serial that starts at today's date (YYYYMMDD00) and only grows.
    const today = Number(new Date().toISOString().slice(0, 10).replace(/-/g, '')) * 100;
    const [row] = await tx
      .insert(prdZone)
      .values({ zone: 'prd.fr', serial: today })
      .onConflictDoUpdate({
        target: prdZone.zone,
        set: { serial: sql`greatest(${prdZone.serial} + 1, ${today})` },
      })
      .returning();
    const serial = one(row ? [row] : []).serial;
    const live = await tx
      .select({ name: domains.name, nameservers: domains.nameservers, ds: domains.ds })
      .from(domains)
      .where(and(eq(domains.zone, 'prd.fr'), eq(domains.state, 'active')));
    const text = renderPrdZone({ ...head, serial }, live);
    await tx.update(prdZone).set({ text, renderedAt: new Date() }).where(eq(prdZone.zone, 'prd.fr'));
    return { serial, text };
  });
}
