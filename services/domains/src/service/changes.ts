import { InvalidTransitionError, NotFoundError, type RequestContext, ValidationError } from '@guichet/core';
import { and, type Db, eq, inArray, isNull, one, type Tx } from '@guichet/db';
import { contacts } from '@guichet/membership';
import type { Registry } from '../epp/registry.js';
import { contactHandle, holderHandle } from '../model.js';
import { checkContactCounts, checkDs, checkHolder, checkNameServers, checkPeriod } from '../rules.js';
import { type DomainRow, domains, type HolderJson } from '../tables.js';
import { newAuthInfo } from './provision.js';
import { updateDomain } from './resource.js';

/**
 * Later requests on a name (`domains.change`): name servers and DS (same DNS gate), contacts,
 * holder (AFNIC `frnic:trade`), renewal, deletion (30-day redemption) and restore. `planChange`
 * checks under the domain's row lock, in the filing's transaction; `applyChange` speaks to the
 * registry (external step) and then records the new state. Each apply is safe to run again:
 * it reads the registry's view first where a retry could otherwise repeat the effect.
 */

export type ChangeAsk =
  | {
      operation: 'nameservers';
      domainId: string;
      nameservers: { name: string; addresses?: string[] }[];
      ds?: DomainRow['ds'];
    }
  | { operation: 'contacts'; domainId: string; adminContactId: string; techContactIds: string[] }
  | { operation: 'holder'; domainId: string; holder: HolderJson; keepDS?: boolean }
  | { operation: 'renewal'; domainId: string; periodYears: number }
  | { operation: 'deletion'; domainId: string }
  | { operation: 'restore'; domainId: string };

export const OPERATIONS = ['nameservers', 'contacts', 'holder', 'renewal', 'deletion', 'restore'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Operations that need the agreement desk (the holder changes); the others go to the NOC only. */
export const NEEDS_DESK: ReadonlySet<Operation> = new Set(['holder']);

async function lockDomain(tx: Tx, institutionId: string, id: string): Promise<DomainRow> {
  const [row] = await tx.select().from(domains).where(eq(domains.id, id)).for('update');
  if (!row || row.institutionId !== institutionId) throw new NotFoundError('Domain', id);
  return row;
}

const need = (row: DomainRow, states: DomainRow['state'][], to: string) => {
  if (!states.includes(row.state)) throw new InvalidTransitionError('Domain', row.state, to);
};

/** The change, checked against the rules and the domain's state; returns what apply needs. */
export async function planChange(
  tx: Tx,
  institutionId: string,
  ask: ChangeAsk,
  now: Date,
): Promise<Record<string, unknown>> {
  const row = await lockDomain(tx, institutionId, ask.domainId);
  switch (ask.operation) {
    case 'nameservers': {
      need(row, ['active'], 'active');
      return { nameservers: checkNameServers(row.name, ask.nameservers), ds: checkDs(ask.ds) };
    }
    case 'contacts': {
      need(row, ['active'], 'active');
      checkContactCounts([ask.adminContactId], ask.techContactIds);
      const ids = [ask.adminContactId, ...ask.techContactIds];
      const present = await tx
        .select({ id: contacts.id })
        .from(contacts)
        .where(
          and(
            eq(contacts.institutionId, institutionId),
            isNull(contacts.removedAt),
            inArray(contacts.id, ids),
          ),
        );
      if (new Set(present.map((p) => p.id)).size !== new Set(ids).size) {
        throw ValidationError.field(
          ['input', 'techContactIds'],
          'every contact must be a present contact of the institution',
        );
      }
      return { adminContactId: ask.adminContactId, techContactIds: ask.techContactIds };
    }
    case 'holder':
      need(row, ['active'], 'active');
      return { holder: checkHolder(ask.holder), keepDS: ask.keepDS ?? true };
    case 'renewal':
      need(row, ['active'], 'active');
      if (row.zone === 'prd.fr')
        throw ValidationError.field(['input', 'operation'], 'a .prd.fr name does not expire');
      return { periodYears: checkPeriod(ask.periodYears) };
    case 'deletion':
      need(row, ['active'], 'redemption');
      return {};
    case 'restore':
      need(row, ['redemption'], 'active');
      if (!row.redemptionUntil || row.redemptionUntil < now) {
        throw new InvalidTransitionError('Domain', 'redemption (ended)', 'active');
      }
      return {};
  }
}

function update(
  db: Db,
  ctx: RequestContext,
  id: string,
  set: Partial<typeof domains.$inferInsert>,
  action: string,
  requestId?: string,
) {
  return updateDomain(db, ctx, id, set, action, () => requestId ?? null);
}

const dsKey = (d: DomainRow['ds'][number]) => `${d.keyTag}/${d.algorithm}/${d.digestType}/${d.digest}`;
const eppDs = (d: DomainRow['ds'][number]) => ({
  keyTag: d.keyTag,
  alg: d.algorithm,
  digestType: d.digestType,
  digest: d.digest,
});

/** Carries the change out at the registry (.fr) and records it. `prd`: republishes .prd.fr. */
export async function applyChange(
  db: Db,
  ctx: RequestContext,
  registry: Registry | null,
  requestId: string,
  domainId: string,
  operation: Operation,
  plan: Record<string, unknown>,
  prd: (() => Promise<void>) | null,
): Promise<Record<string, unknown>> {
  const row = one(await db.select().from(domains).where(eq(domains.id, domainId)));
  const fr = row.zone === 'fr';
  if (fr && !registry) throw new Error('the registry is not configured (DOMAINS_EPP_HOST)');
  const reg = registry as Registry;
  switch (operation) {
    case 'nameservers': {
      const nameservers = plan.nameservers as DomainRow['nameservers'];
      const ds = plan.ds as DomainRow['ds'];
      if (fr) {
        for (const ns of nameservers) await reg.createHost(ns.name, ns.addresses);
        const info = await reg.info(row.name);
        const want = nameservers.map((n) => n.name);
        const have = new Set(info.ds.map((d) => dsKey({ ...d, algorithm: d.alg })));
        const wantDs = new Set(ds.map(dsKey));
        await reg.update({
          name: row.name,
          addHosts: want.filter((h) => !info.hosts.includes(h)),
          remHosts: info.hosts.filter((h) => !want.includes(h)),
          addDs: ds.filter((d) => !have.has(dsKey(d))).map(eppDs),
          remDs: info.ds.filter((d) => !wantDs.has(dsKey({ ...d, algorithm: d.alg }))),
        });
      }
      await update(db, ctx, domainId, { nameservers, ds }, 'domains.nameservers', requestId);
      if (!fr) await prd?.();
      return { nameservers: nameservers.map((n) => n.name), ds: ds.length };
    }
    case 'contacts': {
      const admin = String(plan.adminContactId);
      const techs = plan.techContactIds as string[];
      if (fr) {
        const people = await db
          .select()
          .from(contacts)
          .where(inArray(contacts.id, [admin, ...techs]));
        for (const p of people) {
          await reg.createContact({
            id: contactHandle(p.id),
            name: p.name,
            street: [],
            city: row.holder.city,
            cc: row.holder.country,
            email: p.email,
            authPw: newAuthInfo(),
            restrictedPublication: true,
          });
        }
        const info = await reg.info(row.name);
        const want = [
          { type: 'admin' as const, id: contactHandle(admin) },
          ...techs.map((t) => ({ type: 'tech' as const, id: contactHandle(t) })),
        ];
        const key = (c: { type: string; id: string }) => `${c.type}:${c.id}`;
        const have = info.contacts.map((c) => ({ type: c.type as 'admin' | 'tech', id: c.id }));
        await reg.update({
          name: row.name,
          addContacts: want.filter((c) => !have.some((h) => key(h) === key(c))),
          remContacts: have.filter((h) => !want.some((c) => key(c) === key(h))),
        });
      }
      await update(
        db,
        ctx,
        domainId,
        { adminContactId: admin, techContactIds: techs },
        'domains.contacts',
        requestId,
      );
      return { admin, techs: techs.length };
    }
    case 'holder': {
      const holder = plan.holder as HolderJson;
      if (fr) {
        // A new registrant object per change: the old holder's object stays as it was.
        const handle = holderHandle(requestId);
        await reg.createContact({
          id: handle,
          name: holder.name,
          org: holder.name,
          street: holder.street ? [holder.street] : [],
          city: holder.city,
          cc: holder.country,
          email: 'hostmaster@invalid',
          authPw: newAuthInfo(),
          legalEntity: { legalStatus: holder.legalStatus, ...(holder.siren ? { siren: holder.siren } : {}) },
        });
        const info = await reg.info(row.name);
        if (info.registrant !== handle) {
          await reg.trade({
            name: row.name,
            registrant: handle,
            admin: contactHandle(row.adminContactId),
            techs: row.techContactIds.map(contactHandle),
            keepDS: plan.keepDS !== false,
          });
        }
      }
      await update(
        db,
        ctx,
        domainId,
        { holder, ...(plan.keepDS === false ? { ds: [] } : {}) },
        'domains.holder',
        requestId,
      );
      return { holder: holder.name };
    }
    case 'renewal': {
      const years = Number(plan.periodYears);
      const info = await reg.info(row.name);
      const known = row.expiresAt?.getTime() ?? 0;
      let exDate = info.exDate;
      // Already renewed by an earlier attempt whose answer was lost: the registry is ahead.
      if (!exDate || new Date(exDate).getTime() <= known) {
        exDate = (await reg.renew(row.name, info.exDate ?? row.expiresAt?.toISOString() ?? '', years)).exDate;
      }
      await update(
        db,
        ctx,
        domainId,
        { expiresAt: exDate ? new Date(exDate) : null, remindedDays: null },
        'domains.renew',
        requestId,
      );
      return { expiresAt: exDate ?? null };
    }
    case 'deletion': {
      if (fr) {
        const info = await reg.info(row.name);
        if (!info.statuses.includes('pendingDelete')) await reg.delete(row.name);
      }
      const until = new Date(ctx.clock.now().getTime() + 30 * 86_400_000);
      await update(
        db,
        ctx,
        domainId,
        { state: 'redemption', redemptionUntil: until },
        'domains.delete',
        requestId,
      );
      if (!fr) await prd?.();
      return { redemptionUntil: until.toISOString() };
    }
    case 'restore': {
      if (fr) {
        const info = await reg.info(row.name);
        if (info.statuses.includes('pendingDelete')) await reg.restore(row.name);
      }
      await update(
        db,
        ctx,
        domainId,
        { state: 'active', redemptionUntil: null },
        'domains.restore',
        requestId,
      );
      if (!fr) await prd?.();
      return { restored: true };
    }
  }
}
