import { PolicyRefusalError, type RequestContext } from '@guichet/core';
import { and, type Db, desc, eq, inArray, sql, type Tx } from '@guichet/db';
import {
  checkZoneText,
  nextSerial,
  type Publisher,
  type ServerAddress,
  servedCname,
  verifyDelegationServed,
} from '@guichet/dns';
import { prefixRange, reverseZones } from '@guichet/net';
import { type DelegationRecords, normalizeZone, renderParentZone } from '../model.js';
import { delegations, parentZones, parentZoneVersions } from '../tables.js';

/**
 * Parent zone versions, and getting them onto the operator's server.
 *
 * A delegation's change (published, withdrawn) only marks its parent zone `needs_render`, in
 * the change's own transaction. A new version is rendered from the committed state, checked
 * by named-checkzone OUTSIDE any transaction (no external program while a lock is held), then
 * stored under the parent's row lock only if the delegations did not move meanwhile (else it
 * renders again). Pushing happens after commit too, so a rolled-back change is never served;
 * each push sends the LATEST version and checks afterwards that nothing newer arrived
 * meanwhile (it pushes again if so), so racing pushes always end with the newest text served.
 * `syncParentZones` (a job, every minute) renders and pushes what is still pending.
 */

export type ParentZoneRow = typeof parentZones.$inferSelect;

export interface PushResult {
  zone: string;
  serial: number | null;
  /** False when the server already had that version, or no publisher is installed. */
  pushed: boolean;
}

/** Marks a parent zone as needing a new version (in the caller's transaction). */
export async function markParentDirty(tx: Tx, parentZoneId: string): Promise<void> {
  await tx.update(parentZones).set({ needsRender: true }).where(eq(parentZones.id, parentZoneId));
}

function recordsOf(row: typeof delegations.$inferSelect): DelegationRecords {
  const z = reverseZones(row.prefix).find((r) => r.zone === row.zone);
  if (!z) throw new Error(`delegation ${row.id}: zone ${row.zone} does not match ${row.prefix}`);
  return { ...z, nameservers: row.nameservers, ds: row.ds };
}

/** The zone text for the current delegations, with `serial`. */
async function render(db: Db | Tx, parent: ParentZoneRow, serial: number): Promise<string> {
  const rows = await db
    .select()
    .from(delegations)
    // A lame delegation stays in the parent (the institution repairs its servers; withdrawing is
    // the NOC's decision), as RIPE NCC keeps lame delegations until they are removed on purpose.
    .where(and(eq(delegations.parentZoneId, parent.id), inArray(delegations.state, ['published', 'lame'])));
  return renderParentZone(
    { zone: parent.zone, serial, mname: parent.mname, rname: parent.rname, nameservers: parent.nameservers },
    rows.map(recordsOf),
  );
}

async function latestVersion(db: Db | Tx, parentZoneId: string) {
  const [v] = await db
    .select()
    .from(parentZoneVersions)
    .where(eq(parentZoneVersions.parentZoneId, parentZoneId))
    .orderBy(desc(parentZoneVersions.serial))
    .limit(1);
  return v;
}

/** The text with its SOA serial blanked, to compare two versions' contents. */
const contentOf = (text: string) => text.replace(/^(\S+ \d+ IN SOA \S+ \S+ )\d+/m, '$10');

/**
 * Stores a new version of the parent zone when its delegations differ from the latest one:
 * rendered and checked by named-checkzone outside any transaction, stored under the parent's
 * lock if nothing moved meanwhile. Returns the latest serial (null: no version yet). A text
 * named-checkzone refuses is an error (a generator bug): nothing is stored.
 */
export async function renderParentZoneVersion(
  db: Db,
  ctx: RequestContext,
  parentZoneId: string,
): Promise<number | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const [parent] = await db.select().from(parentZones).where(eq(parentZones.id, parentZoneId));
    if (!parent) throw new Error(`parent zone ${parentZoneId} does not exist`);
    const last = await latestVersion(db, parentZoneId);
    const candidate = await render(db, parent, nextSerial(last?.serial ?? null, ctx.clock.now()));
    if (last && contentOf(last.text) === contentOf(candidate)) {
      await db.update(parentZones).set({ needsRender: false }).where(eq(parentZones.id, parentZoneId));
      return last.serial;
    }
    const verdict = await checkZoneText(parent.zone, candidate);
    if (!verdict.ok) {
      throw new PolicyRefusalError(
        'rdns.parent-zone-invalid',
        `named-checkzone refused ${parent.zone}: ${verdict.output}`,
      );
    }
    const stored = await db.transaction(async (tx) => {
      const [locked] = await tx
        .select()
        .from(parentZones)
        .where(eq(parentZones.id, parentZoneId))
        .for('update');
      if (!locked) return null;
      const now = await latestVersion(tx, parentZoneId);
      const serial = nextSerial(now?.serial ?? null, ctx.clock.now());
      const text = await render(tx, locked, serial);
      // Someone changed the delegations (or the head) after the check: check the new text.
      if (contentOf(text) !== contentOf(candidate)) return null;
      await tx.insert(parentZoneVersions).values({ parentZoneId, serial, text, createdAt: ctx.clock.now() });
      await tx.update(parentZones).set({ needsRender: false }).where(eq(parentZones.id, parentZoneId));
      return serial;
    });
    if (stored !== null) return stored;
  }
  throw new Error(`parent zone ${parentZoneId}: delegations kept changing while a version was rendered`);
}

/** Pushes the latest version of a parent zone when the server may not have it yet. */
export async function pushParentZone(
  db: Db,
  publish: Publisher | null,
  parentZoneId: string,
): Promise<PushResult> {
  let result: PushResult | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const [parent] = await db.select().from(parentZones).where(eq(parentZones.id, parentZoneId));
    if (!parent) throw new Error(`parent zone ${parentZoneId} does not exist`);
    const latest = await latestVersion(db, parentZoneId);
    if (!latest) return { zone: parent.zone, serial: null, pushed: false };
    if (!publish || parent.pushedSerial === latest.serial) {
      return result ?? { zone: parent.zone, serial: latest.serial, pushed: false };
    }
    await publish(parent.zone, latest.text);
    // Never lower what is recorded: a slower push of an older version may finish after ours.
    await db
      .update(parentZones)
      .set({ pushedSerial: latest.serial, pushedAt: sql`now()` })
      .where(
        and(
          eq(parentZones.id, parentZoneId),
          sql`(${parentZones.pushedSerial} IS NULL OR ${parentZones.pushedSerial} < ${latest.serial})`,
        ),
      );
    result = { zone: parent.zone, serial: latest.serial, pushed: true };
    // A newer version stored while we pushed (or an older push landed after ours): go again.
    const again = await latestVersion(db, parentZoneId);
    if (again?.serial === latest.serial) return result;
  }
  return result ?? { zone: '', serial: null, pushed: false };
}

/** Renders the parent zones that need it, then pushes every one whose latest version the server lacks. */
export async function syncParentZones(
  db: Db,
  ctx: RequestContext,
  publish: Publisher | null,
): Promise<PushResult[]> {
  const dirty = await db
    .select({ id: parentZones.id })
    .from(parentZones)
    .where(eq(parentZones.needsRender, true));
  for (const p of dirty) await renderParentZoneVersion(db, ctx, p.id);
  if (!publish) return [];
  const stale = await db
    .select({ id: parentZones.id })
    .from(parentZones)
    .where(
      sql`${parentZones.pushedSerial} IS DISTINCT FROM (SELECT max(v.serial) FROM ${parentZoneVersions} v WHERE v.parent_zone_id = ${parentZones.id})`,
    );
  const out: PushResult[] = [];
  for (const p of stale) out.push(await pushParentZone(db, publish, p.id));
  return out;
}

const serverOf = (p: ParentZoneRow): ServerAddress => ({ address: p.serverAddress, port: p.serverPort });

/**
 * Proves that the parent's server publishes a delegation: its SOA serial has reached `serial`,
 * it refers the zone to exactly the requested name servers, serves exactly the requested DS
 * records, and (RFC 2317) answers the CNAME of the range's first address. Throws, naming what
 * differs, otherwise — the publication step then retries.
 */
export async function verifyDelegation(db: Db, delegationId: string, serial: number): Promise<void> {
  const [row] = await db.select().from(delegations).where(eq(delegations.id, delegationId));
  if (!row?.parentZoneId) return;
  const [parent] = await db.select().from(parentZones).where(eq(parentZones.id, row.parentZoneId));
  if (!parent) return;
  await verifyDelegationServed(serverOf(parent), parent.zone, serial, row);
  if (row.zone.split('.')[0]?.includes('-')) {
    // RFC 2317: the /24 answers a CNAME for the first address into the child zone.
    const first = prefixRange(row.prefix).first;
    const last = Number(first & 255n);
    const owner = `${last}.${row.zone.split('.').slice(1).join('.')}`;
    const target = await servedCname(serverOf(parent), owner);
    if (target !== `${last}.${normalizeZone(row.zone)}`) {
      throw new Error(`${owner}: the parent answers CNAME ${target ?? 'none'}, expected ${last}.${row.zone}`);
    }
  }
}
