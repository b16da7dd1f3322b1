import { recordChange } from '@guichet/audit';
import {
  ConflictError,
  NotFoundError,
  PolicyRefusalError,
  parseInput,
  type RequestContext,
} from '@guichet/core';
import { and, asc, type DbOrTx, eq, ne, one, PG, pgError, sql, type Tx } from '@guichet/db';
import { institutions } from '@guichet/membership';
import type { EduroamRuntime } from '../config.js';
import { proofRecord, TXT_PREFIX } from '../dns.js';
import { type RealmInput, realmInput } from '../inputs.js';
import { coverageLiteral, coverageOf, realmKey, skeletonOf } from '../model.js';
import { type HeldRealm, overlapRefusal, RULES } from '../rules.js';
import { realms } from '../tables.js';
import { lockForEduroam } from './common.js';
import { realmResource } from './resources.js';

/**
 * Realms: a domain (or subdomain) an institution proves it holds with a DNS TXT record, then
 * routed to its servers by the national proxy. A realm claims its namespace the moment it is
 * filed (pending): two institutions racing for overlapping realms cannot both win, because the
 * exclusion constraints decide, not a look-up.
 */

export type RealmRow = typeof realms.$inferSelect;

async function conflicting(
  tx: Tx,
  column: 'realm_key' | 'skeleton_key',
  key: string,
  subrealms: boolean,
): Promise<HeldRealm[]> {
  const lit = coverageLiteral(coverageOf(key, subrealms));
  const col = column === 'realm_key' ? realms.realmKey : realms.skeletonKey;
  const rows = await tx
    .select({
      realm: realms.realm,
      subrealms: realms.subrealms,
      institutionId: realms.institutionId,
      institutionName: institutions.name,
    })
    .from(realms)
    .innerJoin(institutions, eq(institutions.id, realms.institutionId))
    .where(
      and(
        ne(realms.state, 'removed'),
        sql`eduroam_realm_coverage(${col}, ${realms.subrealms}) && ${lit}::eduroam_realm_range`,
      ),
    );
  return rows;
}

/**
 * Files the realm (pending) for the institution. Refusals: eduroam not open, an overlap with a
 * live realm (the same name, one inside the other's subrealms), or a look-alike skeleton — each
 * a PolicyRefusalError naming the realm in the way. Runs inside the request's transaction.
 */
export async function reserveRealm(
  tx: Tx,
  ctx: RequestContext,
  raw: RealmInput,
  requestId: string | null,
): Promise<RealmRow> {
  const input = parseInput(realmInput, raw);
  await lockForEduroam(tx, ctx, input.institutionId);
  const key = realmKey(input.realm);
  const skeletonKey = realmKey(skeletonOf(input.realm));
  try {
    // A savepoint: the refusal is worded from what the constraint hit, in the same transaction.
    return await tx.transaction(async (s) => {
      const row = one(
        await s
          .insert(realms)
          .values({
            institutionId: input.institutionId,
            realm: input.realm,
            realmKey: key,
            skeletonKey,
            subrealms: input.subrealms,
            state: 'pending',
            requestId,
            createdAt: ctx.clock.now(),
          })
          .returning(),
      );
      await recordChange(s, ctx, {
        action: 'eduroam.reserveRealm',
        objectType: 'EduroamRealm',
        objectId: row.id,
        institutionId: row.institutionId,
        after: row,
      });
      await realmResource(s, ctx, row);
      return row;
    });
  } catch (e) {
    if (pgError(e)?.code !== PG.exclusionViolation) throw e;
    const overlapping = await conflicting(tx, 'realm_key', key, input.subrealms);
    const lookalikes = await conflicting(tx, 'skeleton_key', skeletonKey, input.subrealms);
    throw overlapRefusal({ realm: input.realm, institutionId: input.institutionId }, overlapping, lookalikes);
  }
}

export async function getRealm(db: DbOrTx, id: string): Promise<RealmRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [row] = await db.select().from(realms).where(eq(realms.id, id));
  return row;
}

/** The TXT record that proves the institution holds the realm (shown before and after filing). */
export function realmProof(rt: EduroamRuntime, institutionId: string, realm: string) {
  return proofRecord(rt.config.EDUROAM_REALM_TXT_LABEL, rt.secrets, institutionId, realm);
}

export type ProofOutcome =
  | { proved: true; name: string; value: string }
  | { proved: false; reason: string; name: string; value: string };

/**
 * Looks for the proof in DNS (no transaction open: it waits on resolvers). The realm must exist
 * in public DNS, and `<label>.<realm>` must carry the TXT value derived for this institution.
 * DNS failures (timeouts, SERVFAIL) throw: the step retries; a missing proof is an outcome.
 */
export async function lookForProof(
  rt: EduroamRuntime,
  row: Pick<RealmRow, 'institutionId' | 'realm'>,
): Promise<ProofOutcome> {
  const want = realmProof(rt, row.institutionId, row.realm);
  if (!(await rt.dns.exists(row.realm))) {
    return {
      proved: false,
      ...want,
      reason: `${row.realm} does not exist in the DNS (NXDOMAIN): a realm is a domain the institution holds`,
    };
  }
  const found = await rt.dns.txt(want.name);
  if (found.includes(want.value)) return { proved: true, ...want };
  const ours = found.filter((t) => t.startsWith(TXT_PREFIX));
  return {
    proved: false,
    ...want,
    reason: ours.length
      ? `${want.name} has TXT ${ours.map((t) => `"${t}"`).join(', ')}, not the value for this institution: publish "${want.value}"`
      : `publish ${want.name} TXT "${want.value}" in the DNS, then resubmit`,
  };
}

/** Records the proof and opens the realm (pending → active); idempotent. */
export async function activateRealm(
  tx: Tx,
  ctx: RequestContext,
  realmId: string,
  proof: { name: string; value: string },
): Promise<RealmRow> {
  const [row] = await tx.select().from(realms).where(eq(realms.id, realmId)).for('update');
  if (!row) throw new NotFoundError('EduroamRealm', realmId);
  if (row.state === 'active') return row;
  if (row.state !== 'pending') throw new ConflictError(`${row.realm} is ${row.state}`);
  const after = one(
    await tx
      .update(realms)
      .set({
        state: 'active',
        provedAt: ctx.clock.now(),
        proof: { name: proof.name, value: proof.value, soa: null },
      })
      .where(eq(realms.id, realmId))
      .returning(),
  );
  await recordChange(tx, ctx, {
    action: 'eduroam.activateRealm',
    objectType: 'EduroamRealm',
    objectId: realmId,
    institutionId: row.institutionId,
    before: row,
    after,
  });
  await realmResource(tx, ctx, after);
  return after;
}

/** Frees the realm's namespace (removed); idempotent. Used by abandonment and by removal. */
export async function releaseRealm(
  tx: Tx,
  ctx: RequestContext,
  realmId: string,
  action: string,
): Promise<RealmRow | undefined> {
  const [row] = await tx.select().from(realms).where(eq(realms.id, realmId)).for('update');
  if (!row || row.state === 'removed') return row;
  const after = one(
    await tx
      .update(realms)
      .set({ state: 'removed', removedAt: ctx.clock.now() })
      .where(eq(realms.id, realmId))
      .returning(),
  );
  await recordChange(tx, ctx, {
    action,
    objectType: 'EduroamRealm',
    objectId: realmId,
    institutionId: row.institutionId,
    before: row,
    after,
  });
  await realmResource(tx, ctx, after);
  return after;
}

/** An institution removes one of its realms (allowed after eduroam closed: leaving). */
export async function removeRealm(tx: Tx, ctx: RequestContext, realmId: string): Promise<RealmRow> {
  const seen = await getRealm(tx, realmId);
  if (!seen) throw new NotFoundError('EduroamRealm', realmId);
  await lockForEduroam(tx, ctx, seen.institutionId, 'operate').catch((e) => {
    if (!(e instanceof PolicyRefusalError) || e.rule !== RULES.notActive) throw e;
  });
  return (await releaseRealm(tx, ctx, realmId, 'eduroam.removeRealm')) as RealmRow;
}

export async function listRealms(
  db: DbOrTx,
  institutionId: string,
  includeRemoved = false,
): Promise<RealmRow[]> {
  return db
    .select()
    .from(realms)
    .where(
      and(eq(realms.institutionId, institutionId), includeRemoved ? sql`true` : ne(realms.state, 'removed')),
    )
    .orderBy(asc(realms.realm));
}
