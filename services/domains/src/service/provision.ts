import { randomBytes } from 'node:crypto';
import type { RequestContext } from '@guichet/core';
import { type Db, inArray } from '@guichet/db';
import { contacts } from '@guichet/membership';
import type { Registry } from '../epp/registry.js';
import { contactHandle, holderHandle } from '../model.js';
import type { DomainRow, domains } from '../tables.js';
import { updateDomain } from './resource.js';

/**
 * Registering a .fr name at AFNIC, from the registry step (external: no transaction is held
 * while the registry is spoken to). Contacts first (the holder with its SIREN, then the admin
 * and technical contacts), then the host objects, then the domain. Every call is safe to run
 * again: handles are derived from Guichet's ids and "exists" on them means "ours, done".
 */

/** An authInfo the registry accepts (6–16 characters, letters, digits and a symbol). */
export function newAuthInfo(): string {
  return `G${randomBytes(9).toString('base64url').slice(0, 12)}-7`;
}

function setState(
  db: Db,
  ctx: RequestContext,
  id: string,
  set: Partial<typeof domains.$inferInsert>,
  action: string,
) {
  // The registry steps belong to the domain's own request.
  return updateDomain(db, ctx, id, set, action, (after) => after.requestId);
}

export function markProvisioning(db: Db, ctx: RequestContext, id: string) {
  return setState(db, ctx, id, { state: 'provisioning' }, 'domains.provision');
}

export interface Registered {
  exDate: string | null;
  created: boolean;
}

/**
 * Creates what the domain needs at the registry and the domain itself. `authorizationCode`:
 * AFNIC's code for a name under prior review, sent as the create's authInfo.
 */
export async function registerAtRegistry(
  db: Db,
  registry: Registry,
  row: DomainRow,
  opts: { authInfo: string; authorizationCode?: string },
): Promise<Registered> {
  await ensureContacts(db, registry, row, opts.authInfo);
  for (const ns of row.nameservers) await registry.createHost(ns.name, ns.addresses);
  const r = await registry.createDomain({
    name: row.name,
    years: row.periodYears,
    hosts: row.nameservers.map((n) => n.name),
    registrant: holderHandle(row.id),
    admin: contactHandle(row.adminContactId),
    techs: row.techContactIds.map(contactHandle),
    authPw: opts.authorizationCode ?? opts.authInfo,
    ds: row.ds.map((d) => ({
      keyTag: d.keyTag,
      alg: d.algorithm,
      digestType: d.digestType,
      digest: d.digest,
    })),
  });
  return { exDate: r.exDate ?? null, created: r.created };
}

/** The holder (with its SIREN) and the admin and technical contacts, created if missing. */
export async function ensureContacts(
  db: Db,
  registry: Registry,
  row: DomainRow,
  authInfo: string,
): Promise<void> {
  const people = await db
    .select()
    .from(contacts)
    .where(inArray(contacts.id, [row.adminContactId, ...row.techContactIds]));
  const h = row.holder;
  const admin = people.find((p) => p.id === row.adminContactId);
  await registry.createContact({
    id: holderHandle(row.id),
    name: h.name,
    org: h.name,
    street: h.street ? [h.street] : [],
    city: h.city,
    ...(h.postalCode ? { pc: h.postalCode } : {}),
    cc: h.country,
    email: admin?.email ?? 'hostmaster@invalid',
    authPw: authInfo,
    legalEntity: {
      legalStatus: h.legalStatus,
      ...(h.siren ? { siren: h.siren } : {}),
      ...(h.waldec ? { waldec: h.waldec } : {}),
    },
  });
  for (const p of people) {
    await registry.createContact({
      id: contactHandle(p.id),
      name: p.name,
      street: [],
      city: h.city,
      cc: h.country,
      email: p.email,
      authPw: authInfo,
      // Staff of the institution: published restricted, like any natural person.
      restrictedPublication: true,
    });
  }
}

export function markActive(
  db: Db,
  ctx: RequestContext,
  id: string,
  set: { expiresAt: Date | null; authInfoSealed: string | null },
) {
  return setState(db, ctx, id, { state: 'active', ...set }, 'domains.activate');
}
