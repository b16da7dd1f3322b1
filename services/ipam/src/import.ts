import {
  ForbiddenError,
  hasStaffRole,
  PolicyRefusalError,
  type RequestContext,
  ValidationError,
} from '@guichet/core';
import { type Database, eq, inArray, sql } from '@guichet/db';
import { type ImportIssue, planImport } from './rpsl/import.js';
import { parseRpsl, rpslValue, rpslValues } from './rpsl/model.js';
import { assignPrefix } from './service/allocate.js';
import { assignments, pools } from './tables.js';

/**
 * Import of the operator's existing registrations (RIPE split-file text) into one pool:
 * parse, plan against what Guichet holds (assignments in a holding lifecycle and pools inside
 * the pool), then create every `toCreate` in ONE transaction as active, already-registered
 * assignments (`ripe_registered_at` set) of the named institution — through `assignPrefix`, so
 * the same rules apply (inside the pool, aligned, free) and the free list and counters stay
 * right. An object the rules refuse becomes a conflict (its savepoint is rolled back), never a
 * partial write. Idempotent: a second run finds everything `unchanged`.
 *
 * The institution is named by the caller: assignments need one (NOT NULL), and guessing it
 * from `org`/`netname` would be wrong too often. Without `institutionId` nothing is created and
 * each object that would be is reported as a conflict saying so.
 */

export interface ImportInput {
  poolId: string;
  text: string;
  institutionId?: string;
}

export interface ImportResult {
  created: number;
  unchanged: number;
  skipped: number;
  conflicts: ImportIssue[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ASSIGNMENT_STATUSES = new Set(['ASSIGNED PA', 'ASSIGNED']);

export async function importRpsl(
  database: Database,
  ctx: RequestContext,
  input: ImportInput,
): Promise<ImportResult> {
  if (!hasStaffRole(ctx.actor, 'noc')) throw new ForbiddenError('Only the NOC imports RIPE registrations');
  if (!UUID.test(input.poolId)) throw ValidationError.field(['input', 'poolId'], 'not a pool id');
  if (!input.text.trim()) throw ValidationError.field(['input', 'text'], 'no RPSL text');
  const parsed = parseRpsl(input.text);
  return database.db.transaction(async (tx) => {
    const [pool] = await tx.select().from(pools).where(eq(pools.id, input.poolId));
    if (!pool) throw ValidationError.field(['input', 'poolId'], 'no such pool');
    if (pool.retiredAt) throw ValidationError.field(['input', 'poolId'], `pool ${pool.name} is retired`);
    const held = await tx
      .select({ prefix: assignments.prefix, netname: assignments.netname, status: assignments.status })
      .from(assignments)
      .where(
        sql`${assignments.prefix} <<= ${pool.prefix}::cidr AND ${inArray(assignments.lifecycle, ['reserved', 'active', 'returned', 'quarantined'])}`,
      );
    const poolRows = await tx
      .select({
        prefix: pools.prefix,
        netname: sql<string>`coalesce(${pools.netname}, '')`,
        status: pools.status,
      })
      .from(pools)
      .where(sql`${pools.prefix} && ${pool.prefix}::cidr AND ${pools.retiredAt} IS NULL`);
    const plan = planImport(parsed, [...held, ...poolRows]);
    const conflicts = [...plan.conflicts];
    let created = 0;
    for (const item of plan.toCreate) {
      if (!ASSIGNMENT_STATUSES.has(item.status)) {
        conflicts.push({
          key: item.key,
          reason: `status ${item.status} is not an assignment: create a pool for it`,
        });
        continue;
      }
      if (!input.institutionId) {
        conflicts.push({ key: item.key, reason: 'no institution named (institutionId): not created' });
        continue;
      }
      const o = item.object;
      try {
        await tx.transaction(async (sp) => {
          const a = await assignPrefix(sp, ctx, {
            poolId: pool.id,
            prefix: item.prefix,
            institutionId: input.institutionId as string,
            purpose: 'imported from the RIPE database',
            justification: 'registered in the RIPE database before Guichet',
            netname: item.netname,
            country: rpslValue(o, 'country'),
            adminC: rpslValues(o, 'admin-c'),
            techC: rpslValues(o, 'tech-c'),
            mntBy: rpslValues(o, 'mnt-by'),
            descr: rpslValues(o, 'descr').join(' ').slice(0, 500) || undefined,
          });
          if (a.status !== item.status) {
            throw new PolicyRefusalError(
              'status-family',
              `${item.prefix}: status ${item.status} is not ${a.status}`,
            );
          }
          await sp
            .update(assignments)
            .set({ ripeRegisteredAt: ctx.clock.now() })
            .where(eq(assignments.id, a.id));
        });
        created++;
      } catch (e) {
        if (!(e instanceof PolicyRefusalError || e instanceof ValidationError)) throw e;
        conflicts.push({ key: item.key, reason: e.message });
      }
    }
    return { created, unchanged: plan.unchanged.length, skipped: plan.skipped.length, conflicts };
  });
}
