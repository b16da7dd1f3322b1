import { ConflictError, NotFoundError, type RequestContext } from '@guichet/core';
import { type Db, type DbOrTx, eq } from '@guichet/db';
import type { RetryPolicy } from '@guichet/workflow';
import type { IpamConfig, IpamRuntime, RipeSettings } from './config.js';
import { assignmentObjectFor } from './rpsl/builders.js';
import { driftReport, isInSync } from './rpsl/drift.js';
import { primaryKey, type RpslObject } from './rpsl/model.js';
import { createRipeClient, type RipeClient } from './rpsl/ripe-client.js';
import type { AssignmentRow } from './service/internal.js';
import { activateAssignment } from './service/lifecycle.js';
import { assignments } from './tables.js';

/**
 * Registration of assignments in the RIPE database: the `register` step of `ipam.prefix`
 * and the `deregister` step of `ipam.return` (external steps: retried by the workflow's
 * `workflow.external-step` job), and the objects the drift report compares.
 *
 * Idempotent: a retried registration that finds its object already there (ConflictError)
 * reads it back and counts an identical object (driftReport in sync) as success; a different
 * one is drift, an error. A deletion that finds nothing (NotFoundError) is done.
 */

/** Retry policy of the RIPE steps; the delay follows `RIPE_RETRY_DELAY_SECONDS`. */
export function registerRetry(config: IpamConfig): Partial<RetryPolicy> {
  return { limit: 5, delaySeconds: config.RIPE_RETRY_DELAY_SECONDS, backoff: true };
}

/** What the objects need from the configuration; null when no RIPE database is configured. */
export function ripeSettings(config: IpamConfig): RipeSettings | null {
  if (!config.RIPE_API_URL) return null;
  return {
    source: config.RIPE_SOURCE,
    mntBy: config.RIPE_MNT_BY ?? [],
    adminC: config.RIPE_ADMIN_C ?? [],
    techC: config.RIPE_TECH_C ?? [],
    country: config.RIPE_COUNTRY,
  };
}

/** A client for the configured database, or null when none is configured. */
export function ripeClientFor(
  config: IpamConfig,
  logger?: Parameters<typeof createRipeClient>[0]['logger'],
): RipeClient | null {
  if (!config.RIPE_API_URL) return null;
  const key = config.RIPE_API_KEY;
  const colon = key ? key.indexOf(':') : -1;
  return createRipeClient({
    baseUrl: config.RIPE_API_URL,
    source: config.RIPE_SOURCE,
    apiKey: key && colon > 0 ? { keyId: key.slice(0, colon), secret: key.slice(colon + 1) } : undefined,
    logger,
  });
}

/** ipam's runtime for an env: its variables and the RIPE client built from them. */
export function ipamRuntime(
  config: IpamConfig,
  logger?: Parameters<typeof createRipeClient>[0]['logger'],
): IpamRuntime {
  return { config, ripe: ripeClientFor(config, logger), ripeSettings: ripeSettings(config) };
}

const or = (own: string[], fallback: string[]) => (own.length ? own : fallback);

/** The inetnum/inet6num of an assignment, as Guichet holds it (source: the configured one). */
export function registrationObject(
  a: Pick<
    AssignmentRow,
    'prefix' | 'netname' | 'country' | 'adminC' | 'techC' | 'mntBy' | 'status' | 'descr'
  >,
  s: RipeSettings,
): RpslObject {
  return assignmentObjectFor({
    prefix: a.prefix,
    netname: a.netname,
    country: a.country || s.country,
    adminC: or(a.adminC, s.adminC),
    techC: or(a.techC, s.techC),
    mntBy: or(a.mntBy, s.mntBy),
    status: a.status,
    source: s.source,
    descr: a.descr ?? undefined,
  });
}

async function load(db: DbOrTx, id: string): Promise<AssignmentRow> {
  const [a] = await db.select().from(assignments).where(eq(assignments.id, id));
  if (!a) throw new NotFoundError('Assignment', id);
  return a;
}

async function noteError(db: Db, id: string, e: unknown): Promise<void> {
  const message = (e instanceof Error ? e.message : String(e)).slice(0, 2000);
  await db.update(assignments).set({ ripeLastError: message }).where(eq(assignments.id, id));
}

export interface RegistrationResult extends Record<string, unknown> {
  registered: boolean;
  type?: string;
  key?: string;
  /** True when a retry found the identical object already there. */
  alreadyThere?: boolean;
  note?: string;
}

/**
 * Writes the assignment's object (dry-run first, then for real), then records it and
 * activates the assignment. Without a configured database: activates and says so.
 */
export async function registerAssignment(
  db: Db,
  ctx: RequestContext,
  id: string,
  client: RipeClient | null,
  settings: RipeSettings | null,
): Promise<RegistrationResult> {
  if (!client || !settings) {
    await activateAssignment(db, ctx, id);
    return { registered: false, note: 'RIPE database not configured (RIPE_API_URL unset)' };
  }
  const a = await load(db, id);
  let alreadyThere = false;
  let obj: RpslObject | undefined;
  try {
    obj = registrationObject(a, settings);
    try {
      await client.apply(obj);
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      // A retry after a write that went through (or someone registered it): same object = done.
      const remote = await client.get(obj.type, primaryKey(obj));
      const report = driftReport([obj], [remote]);
      if (!isInSync(report)) {
        const what = report.differing.map(
          (d) => `${d.attribute}: held ${d.held.join(', ')} / RIPE ${d.remote.join(', ')}`,
        );
        throw new ConflictError(
          `${obj.type} ${primaryKey(obj)} exists in the RIPE database and differs (${what.join('; ')})`,
        );
      }
      alreadyThere = true;
    }
  } catch (e) {
    await noteError(db, id, e);
    throw e;
  }
  await db.transaction(async (tx) => {
    await tx
      .update(assignments)
      .set({ ripeRegisteredAt: ctx.clock.now(), ripeLastError: null })
      .where(eq(assignments.id, id));
    await activateAssignment(tx, ctx, id);
  });
  return {
    registered: true,
    type: obj.type,
    key: primaryKey(obj),
    ...(alreadyThere ? { alreadyThere } : {}),
  };
}

/** Deletes the assignment's object (dry-run first); an object already gone is fine. */
export async function deregisterAssignment(
  db: Db,
  _ctx: RequestContext,
  id: string,
  client: RipeClient | null,
  settings: RipeSettings | null,
): Promise<RegistrationResult> {
  if (!client || !settings) {
    return { registered: false, note: 'RIPE database not configured (RIPE_API_URL unset)' };
  }
  const a = await load(db, id);
  const obj = registrationObject(a, settings);
  const key = primaryKey(obj);
  let gone = false;
  try {
    await client.delete(obj.type, key, { dryRun: true, reason: 'returned to the LIR' });
    await client.delete(obj.type, key, { reason: 'returned to the LIR' });
  } catch (e) {
    if (e instanceof NotFoundError) gone = true;
    else {
      await noteError(db, id, e);
      throw e;
    }
  }
  await db
    .update(assignments)
    .set({ ripeRegisteredAt: null, ripeLastError: null })
    .where(eq(assignments.id, id));
  return {
    registered: false,
    type: obj.type,
    key,
    deleted: !gone,
    ...(gone ? { note: 'already absent' } : {}),
  };
}
