import { randomUUID } from 'node:crypto';
import { recordChange } from '@guichet/audit';
import {
  ConflictError,
  ForbiddenError,
  hasStaffRole,
  isUuid,
  NotFoundError,
  PolicyRefusalError,
  parseInput,
  type RequestContext,
  ValidationError,
} from '@guichet/core';
import { and, asc, type DbOrTx, desc, eq, inArray, ne, type Tx, translatePgError } from '@guichet/db';
import { canFileFor } from '@guichet/membership';
import type { Env } from '@guichet/workflow';
import { recordResource } from '@guichet/workflow';
import { type DirectorySpec, type DomainState, domainResourceState, type Finding } from '../model.js';
import {
  addressPolicy,
  directoryPolicy,
  hasControl,
  nextHopPolicy,
  type OnboardingPayload,
  onboardingInputSchema,
} from '../rules.js';
import { bindSecrets, domains, onboardings } from '../tables.js';

/**
 * Onboardings: the payload of a request (the password sealed into its own row first), the
 * onboarding row and its domains (first step), the self-test record, and what publication and
 * abandonment do to the domains. Each write is audited; a domain moves with its resource.
 */

export type OnboardingRow = typeof onboardings.$inferSelect;
export type DomainRow = typeof domains.$inferSelect;

const sealContext = (secretId: string) => `antispam.bind:${secretId}`;

/**
 * From the mutation's input to the request payload. Everything is validated before the one
 * write (the sealed password); the payload carries the secret's id, never the password.
 */
export async function onboardingPayload(
  env: Env,
  ctx: RequestContext,
  institutionId: string,
  input: unknown,
) {
  const i = parseInput(onboardingInputSchema, input, ['input']);
  if (!isUuid(institutionId)) throw new NotFoundError('Institution', institutionId);
  // The engine refuses these callers too, but only after this function: nothing is written for them.
  if (!canFileFor(ctx.actor, institutionId))
    throw new ForbiddenError(
      'Only a technical contact of the institution (or the agreement desk) files its requests',
    );
  const staff =
    hasStaffRole(ctx.actor, 'desk') || hasStaffRole(ctx.actor, 'noc') || ctx.actor.kind === 'system';
  if (i.allowPlainLdap && !staff)
    throw new PolicyRefusalError(
      'antispam.ldap-tls',
      'only staff can waive TLS to the directory (allowPlainLdap)',
    );
  const rt = env.line('antispam');
  const { bindPassword, ...directory } = i.directory;
  directoryPolicy(directory, i.allowPlainLdap, rt.config.ANTISPAM_ALLOW_PRIVATE_HOSTS);
  nextHopPolicy(i.nextHops, rt.config.ANTISPAM_ALLOW_PRIVATE_HOSTS);
  addressPolicy(i.domains, i.knownAddress, i.unknownAddress);
  if (hasControl(bindPassword))
    throw ValidationError.field(['input', 'directory', 'bindPassword'], 'no control characters');
  const id = randomUUID();
  try {
    await env.database.db.insert(bindSecrets).values({
      id,
      institutionId,
      sealed: rt.secrets.seal(bindPassword, sealContext(id)),
      createdAt: ctx.clock.now(),
    });
  } catch (e) {
    throw translatePgError(e, { missing: () => 'Institution' });
  }
  const payload: OnboardingPayload = {
    domains: i.domains,
    directory,
    bindSecretId: id,
    nextHops: i.nextHops,
    knownAddress: i.knownAddress,
    unknownAddress: i.unknownAddress,
    allowPlainLdap: i.allowPlainLdap,
  };
  return payload;
}

/** The bind password in clear, for a self-test or a rendering; never stored or logged. */
export async function openBindPassword(db: DbOrTx, env: Env, secretId: string): Promise<string> {
  const [row] = await db.select().from(bindSecrets).where(eq(bindSecrets.id, secretId));
  if (!row) throw new NotFoundError('AntispamBindSecret', secretId);
  return env.line('antispam').secrets.open(row.sealed, sealContext(row.id));
}

/** A domain's row in the common resource view (onboarding and the MX cut-over record it). */
export const domainResource = (tx: Tx, ctx: RequestContext, d: DomainRow, requestId: string | null) =>
  recordResource(tx, ctx, {
    line: 'antispam',
    type: 'domain',
    objectId: d.id,
    institutionId: d.institutionId,
    name: d.domain,
    state: domainResourceState(d.state as DomainState),
    lineState: d.state,
    requestId,
  });

/** First step: the onboarding row (one per request, reset on a new pass) and its domains. */
export async function createOnboarding(
  tx: Tx,
  ctx: RequestContext,
  requestId: string,
  institutionId: string,
  p: OnboardingPayload,
): Promise<OnboardingRow> {
  const [secret] = await tx
    .select()
    .from(bindSecrets)
    .where(eq(bindSecrets.id, p.bindSecretId))
    .for('update');
  const [existing] = await tx
    .select()
    .from(onboardings)
    .where(eq(onboardings.requestId, requestId))
    .for('update');
  if (
    !secret ||
    secret.institutionId !== institutionId ||
    (secret.onboardingId && secret.onboardingId !== existing?.id)
  )
    throw ValidationError.field(['input', 'bindSecretId'], 'not a bind password sealed for this request');
  const now = ctx.clock.now();
  const values = {
    institutionId,
    requestId,
    directory: p.directory as DirectorySpec,
    bindSecretId: secret.id,
    allowPlainLdap: p.allowPlainLdap,
    nextHops: p.nextHops,
    knownAddress: p.knownAddress,
    unknownAddress: p.unknownAddress,
    state: 'testing',
    findings: [],
    updatedAt: now,
  };
  const [row] = existing
    ? await tx.update(onboardings).set(values).where(eq(onboardings.id, existing.id)).returning()
    : await tx
        .insert(onboardings)
        .values({ ...values, createdAt: now })
        .returning();
  if (!row) throw new Error('createOnboarding: no row');
  await tx.update(bindSecrets).set({ onboardingId: row.id }).where(eq(bindSecrets.id, secret.id));
  for (const domain of p.domains) {
    let d: DomainRow | undefined;
    try {
      // A savepoint: a taken domain fails this filing with a ConflictError, not the transaction's state.
      [d] = await tx.transaction((s) =>
        s
          .insert(domains)
          .values({
            institutionId,
            onboardingId: row.id,
            domain,
            state: 'requested',
            createdAt: now,
            updatedAt: now,
          })
          .returning(),
      );
    } catch (e) {
      throw translatePgError(e, {
        conflicts: { antispam_domains_live: `${domain} is already on the antispam gateway` },
      });
    }
    if (!d) throw new Error('createOnboarding: no domain row');
    await domainResource(tx, ctx, d, requestId);
  }
  await recordChange(tx, ctx, {
    action: 'antispam.createOnboarding',
    objectType: 'AntispamOnboarding',
    objectId: row.id,
    institutionId,
    after: { ...row, domains: p.domains },
  });
  return row;
}

export async function getOnboarding(db: DbOrTx, id: string): Promise<OnboardingRow> {
  const [row] = isUuid(id) ? await db.select().from(onboardings).where(eq(onboardings.id, id)) : [];
  if (!row) throw new NotFoundError('AntispamOnboarding', id);
  return row;
}

export async function liveDomains(db: DbOrTx, onboardingId: string): Promise<DomainRow[]> {
  return db
    .select()
    .from(domains)
    .where(and(eq(domains.onboardingId, onboardingId), ne(domains.state, 'withdrawn')))
    .orderBy(asc(domains.domain));
}

export async function recordSelfTest(
  tx: Tx,
  ctx: RequestContext,
  id: string,
  findings: Finding[],
  ms: number,
  passed: boolean,
) {
  const [row] = await tx
    .update(onboardings)
    .set({
      findings,
      testMs: ms,
      testedAt: ctx.clock.now(),
      state: passed ? 'tested' : 'returned',
      updatedAt: ctx.clock.now(),
    })
    .where(eq(onboardings.id, id))
    .returning();
  if (!row) throw new NotFoundError('AntispamOnboarding', id);
  await recordChange(tx, ctx, {
    action: 'antispam.recordSelfTest',
    objectType: 'AntispamOnboarding',
    objectId: id,
    institutionId: row.institutionId,
    after: { state: row.state, findings, ms },
  });
}

/** After a publication that carried them: the onboarding's domains are `configured`. */
export async function markConfigured(tx: Tx, ctx: RequestContext, onboardingId: string) {
  const [ob] = await tx.select().from(onboardings).where(eq(onboardings.id, onboardingId)).for('update');
  if (!ob) throw new NotFoundError('AntispamOnboarding', onboardingId);
  if (ob.state === 'withdrawn') throw new ConflictError('the onboarding was withdrawn');
  const now = ctx.clock.now();
  const rows = await tx
    .update(domains)
    .set({ state: 'configured', updatedAt: now })
    .where(and(eq(domains.onboardingId, onboardingId), eq(domains.state, 'requested')))
    .returning();
  for (const d of rows) await domainResource(tx, ctx, d, ob.requestId);
  await tx
    .update(onboardings)
    .set({ state: 'published', updatedAt: now })
    .where(eq(onboardings.id, onboardingId));
  await recordChange(tx, ctx, {
    action: 'antispam.configureDomains',
    objectType: 'AntispamOnboarding',
    objectId: onboardingId,
    institutionId: ob.institutionId,
    after: { domains: rows.map((d) => d.domain), state: 'configured' },
  });
}

/** Returned, rejected or cancelled: the domains leave (freeing them for a new pass). Idempotent. */
export async function withdrawOnboarding(tx: Tx, ctx: RequestContext, requestId: string, returned: boolean) {
  const [ob] = await tx.select().from(onboardings).where(eq(onboardings.requestId, requestId)).for('update');
  if (!ob) return;
  const now = ctx.clock.now();
  const rows = await tx
    .update(domains)
    .set({ state: 'withdrawn', updatedAt: now })
    .where(and(eq(domains.onboardingId, ob.id), inArray(domains.state, ['requested'])))
    .returning();
  for (const d of rows) await domainResource(tx, ctx, d, requestId);
  // Returned keeps its findings visible (`returned`); otherwise the onboarding is gone.
  await tx
    .update(onboardings)
    .set({ state: returned ? 'returned' : 'withdrawn', updatedAt: now })
    .where(eq(onboardings.id, ob.id));
  await recordChange(tx, ctx, {
    action: 'antispam.withdrawOnboarding',
    objectType: 'AntispamOnboarding',
    objectId: ob.id,
    institutionId: ob.institutionId,
    after: { withdrawn: rows.map((d) => d.domain), returned },
  });
}

export const listDomains = (db: DbOrTx, institutionId?: string) =>
  db
    .select()
    .from(domains)
    .where(
      and(
        ne(domains.state, 'withdrawn'),
        institutionId ? eq(domains.institutionId, institutionId) : undefined,
      ),
    )
    .orderBy(asc(domains.domain));

export async function latestOnboarding(db: DbOrTx, institutionId: string): Promise<OnboardingRow | null> {
  const [row] = await db
    .select()
    .from(onboardings)
    .where(eq(onboardings.institutionId, institutionId))
    .orderBy(desc(onboardings.createdAt))
    .limit(1);
  return row ?? null;
}
