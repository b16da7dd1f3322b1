import { recordChange } from '@guichet/audit';
import { ConflictError, PolicyRefusalError, type RequestContext, ValidationError } from '@guichet/core';
import { and, eq, inArray, isNull, one, PG, pgError, type Tx } from '@guichet/db';
import { contacts, institutions } from '@guichet/membership';
import { type CharterName, checkCharter } from '../charter.js';
import { priceOf } from '../model.js';
import { checkContactCounts, checkDs, checkHolder, checkNameServers, checkPeriod } from '../rules.js';
import { type DomainRow, domains, freeNames, type HolderJson } from '../tables.js';
import { recordDomain } from './resource.js';

/**
 * Filing a name: the charter first, then the holder, contacts, name servers, DS and period;
 * then ONE row in `requested` with its price. The price's "first name free" is claimed from the
 * database (INSERT … ON CONFLICT DO NOTHING on the institution's key in domains_free_names):
 * two names filed at once queue there, and exactly one of them gets it.
 */

export interface RegistrationAsk {
  name: string;
  holder?: Omit<HolderJson, 'country'> & { country?: string };
  adminContactId: string;
  techContactIds: string[];
  nameservers: { name: string; addresses?: string[] }[];
  ds?: { keyTag: number; algorithm: number; digestType: number; digest: string }[];
  periodYears: number;
}

/** The charter's verdict as a refusal naming the first rule broken (all of them in the message). */
export function assertCharter(name: string): CharterName {
  const r = checkCharter(name);
  if (r.ok) return r.name;
  const [first] = r.violations;
  throw new PolicyRefusalError(
    first?.rule ?? 'charter',
    `${name.trim()}: ${r.violations.map((v) => `${v.message} [${v.rule}]`).join('; ')}`,
  );
}

export interface RegistrationPlan {
  name: CharterName;
  holder: HolderJson;
  adminContactId: string;
  techContactIds: string[];
  nameservers: ReturnType<typeof checkNameServers>;
  ds: ReturnType<typeof checkDs>;
  periodYears: number;
  institutionKind: 'tutelle' | 'contrat';
}

/** Every rule, in the order a requester would fix them; reads the institution and its contacts. */
export async function planRegistration(
  tx: Tx,
  institutionId: string,
  ask: RegistrationAsk,
): Promise<RegistrationPlan> {
  const name = assertCharter(ask.name);
  const [inst] = await tx.select().from(institutions).where(eq(institutions.id, institutionId));
  if (!inst) throw ValidationError.field(['input', 'institutionId'], 'no such institution');
  const holder = checkHolder(
    ask.holder
      ? { ...ask.holder, country: ask.holder.country ?? 'FR' }
      : {
          name: inst.name,
          legalStatus: 'other',
          siren: inst.siret ?? inst.siren,
          country: 'FR',
          city: 'France',
        },
  );
  checkContactCounts([ask.adminContactId], ask.techContactIds);
  const ids = [ask.adminContactId, ...ask.techContactIds];
  const present = await tx
    .select({ id: contacts.id })
    .from(contacts)
    .where(
      and(eq(contacts.institutionId, institutionId), isNull(contacts.removedAt), inArray(contacts.id, ids)),
    );
  const known = new Set(present.map((p) => p.id));
  if (!known.has(ask.adminContactId)) {
    throw ValidationError.field(['input', 'adminContactId'], 'not a present contact of the institution');
  }
  ask.techContactIds.forEach((id, i) => {
    if (!known.has(id))
      throw ValidationError.field(['input', 'techContactIds', i], 'not a present contact of the institution');
  });
  return {
    name,
    holder,
    adminContactId: ask.adminContactId,
    techContactIds: ask.techContactIds,
    nameservers: checkNameServers(name.aName, ask.nameservers),
    ds: checkDs(ask.ds),
    periodYears: checkPeriod(ask.periodYears),
    institutionKind: inst.kind as 'tutelle' | 'contrat',
  };
}

/** Writes the domain (requested) and its price, in the filing's transaction. */
export async function createDomain(
  tx: Tx,
  ctx: RequestContext,
  institutionId: string,
  requestId: string,
  plan: RegistrationPlan,
): Promise<DomainRow> {
  const now = ctx.clock.now();
  let row: DomainRow;
  try {
    row = one(
      await tx
        .insert(domains)
        .values({
          institutionId,
          name: plan.name.aName,
          uName: plan.name.uName,
          zone: plan.name.zone,
          holder: plan.holder,
          adminContactId: plan.adminContactId,
          techContactIds: plan.techContactIds,
          nameservers: plan.nameservers,
          ds: plan.ds,
          periodYears: plan.periodYears,
          // Provisional: the free slot is claimed just below, in this transaction.
          priceCents: 0,
          pricing: 'tutelle',
          requestId,
          createdAt: now,
          updatedAt: now,
        })
        .returning(),
    );
  } catch (e) {
    if (pgError(e)?.code === PG.uniqueViolation) {
      throw new ConflictError(`${plan.name.uName} is already held or requested through the operator`);
    }
    throw e;
  }
  let gotFree = false;
  if (plan.institutionKind === 'contrat') {
    const claimed = await tx
      .insert(freeNames)
      .values({ institutionId, domainId: row.id, createdAt: now })
      .onConflictDoNothing({ target: freeNames.institutionId })
      .returning();
    gotFree = claimed.length === 1;
  }
  const price = priceOf(plan.institutionKind, gotFree);
  row = one(
    await tx
      .update(domains)
      .set({ priceCents: price.cents, pricing: price.pricing })
      .where(eq(domains.id, row.id))
      .returning(),
  );
  await recordChange(tx, ctx, {
    action: 'domains.request',
    objectType: 'Domain',
    objectId: row.id,
    institutionId,
    before: null,
    after: { ...row, authInfoSealed: undefined },
  });
  await recordDomain(tx, ctx, row, requestId);
  return row;
}

/**
 * Undoes a filing whose request was returned, rejected or cancelled before the name was
 * registered: the domain goes `deleted` and gives back its free slot. Idempotent.
 */
export async function withdrawDomain(tx: Tx, ctx: RequestContext, domainId: string): Promise<void> {
  const [row] = await tx.select().from(domains).where(eq(domains.id, domainId)).for('update');
  if (row?.state !== 'requested') return;
  await tx.delete(freeNames).where(eq(freeNames.domainId, domainId));
  const now = ctx.clock.now();
  const [after] = await tx
    .update(domains)
    .set({ state: 'deleted', deletedAt: now, updatedAt: now })
    .where(eq(domains.id, domainId))
    .returning();
  await recordChange(tx, ctx, {
    action: 'domains.withdraw',
    objectType: 'Domain',
    objectId: domainId,
    institutionId: row.institutionId,
    before: { ...row, authInfoSealed: undefined },
    after: { ...after, authInfoSealed: undefined },
  });
  if (after) await recordDomain(tx, ctx, after, row.requestId);
}
