import { recordChange } from '@guichet/audit';
import { actorLabel, NotFoundError, PolicyRefusalError, type RequestContext } from '@guichet/core';
import { type DbOrTx, eq, sql, type Tx } from '@guichet/db';
import { z } from 'zod';
import {
  alignmentLength,
  type Block,
  fromBlock,
  isAligned,
  type Lifecycle,
  type Strategy,
  toBlock,
  unitsOf,
} from '../model.js';
import { ASSIGNMENT_STATUS, checkAssignmentFits, checkJustification, checkStatusUnder } from '../rules.js';
import { assignments, pools } from '../tables.js';
import { allocateNext, rememberedPool, rememberPool } from './allocate-next.js';
import { carve, findFree, freeBlockAround } from './freelist.js';
import {
  envelopeLength,
  findInEnvelope,
  findWithEnvelope,
  reserveEnvelope,
  takeFromEnvelope,
} from './growth.js';
import {
  type AssignmentRow,
  blockOf,
  inTransaction,
  lockPool,
  mustBeLive,
  mustOperate,
  one,
  type PoolRow,
  parseInput,
} from './internal.js';
import { recordAssignment } from './resource.js';

const rpslList = z.array(z.string().trim().min(1).max(80)).max(10);
const common = {
  institutionId: z.uuid(),
  siteId: z.uuid().optional(),
  purpose: z.string().trim().min(1).max(500),
  justification: z.string().trim().max(4000).optional(),
  requestId: z.uuid().optional(),
  netname: z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9_-]{0,79}$/, 'a netname is letters, digits, _ and -, starting with a letter')
    .optional(),
  country: z.string().trim().length(2).optional(),
  adminC: rpslList.optional(),
  techC: rpslList.optional(),
  mntBy: rpslList.optional(),
  descr: z.string().trim().max(500).optional(),
};

export const allocateSchema = z.object({
  poolId: z.uuid(),
  length: z.number().int().min(1).max(128),
  /**
   * Growth envelope length (e.g. 44 around a /48); default: the pool's `growthLength`;
   * 0: none. Bounded by the pool; not shorter than `length` or no envelope.
   */
  growth: z.number().int().min(0).max(128).optional(),
  ...common,
});
export type AllocateInput = z.input<typeof allocateSchema>;
export const assignSchema = z.object({
  poolId: z.uuid(),
  prefix: z.string().trim().min(3).max(60),
  ...common,
});
export type AssignInput = z.input<typeof assignSchema>;

type Fields = z.output<typeof allocateSchema>;

/**
 * Next free block of `length` in a pool, per the pool's strategy and alignment, in ONE
 * transaction: pool row locked FOR UPDATE first (allocations in other pools run on), one
 * index probe on the free list, carve, insert, counters, change log — the common case as one
 * statement (allocateCommon), growth envelopes in TypeScript under the lock. The GiST exclusion
 * constraint stays the backstop. No space → PolicyRefusalError('no-space'), nothing written.
 * Any caller of the ipam line (the workflow's allocate step, the NOC): authorisation is theirs.
 */
export async function allocatePrefix(
  db: DbOrTx,
  ctx: RequestContext,
  input: AllocateInput,
  lifecycle: Lifecycle = 'active',
): Promise<AssignmentRow> {
  const v = parseInput(allocateSchema, input);
  const next = await allocateCommon(db, ctx, v, lifecycle);
  if (next) return next;
  return inTransaction(db, async (tx) => {
    const pool = await lockPool(tx, v.poolId);
    mustBeLive(pool);
    const len = v.length;
    checkPoolRules(pool, len, v.justification);
    const family = pool.family as 4 | 6;
    const align = alignmentLength(family, len);
    // The institution's own envelope first: the reservation shrinks, no new envelope.
    const own = await findInEnvelope(tx, pool.id, v.institutionId, len, align);
    if (own) {
      await takeFromEnvelope(tx, ctx, pool, own.row, own.place);
      return insertAssignment(tx, ctx, pool, own.place, v, lifecycle, 'ipam.allocate');
    }
    const growth = envelopeLength(pool, len, v.growth);
    if (growth !== undefined) {
      const hit = await findWithEnvelope(tx, pool, len, growth, (l) => alignmentLength(family, l));
      if (!hit) throw noSpace(pool, len);
      if (!hit.envelope) {
        await carve(tx, pool, hit.free, hit.place);
        return insertAssignment(tx, ctx, pool, hit.place, v, lifecycle, 'ipam.allocate');
      }
      const reserve = await reserveEnvelope(tx, ctx, pool, hit.free, hit.envelope, hit.place);
      const row = await insertAssignment(tx, ctx, pool, hit.place, v, lifecycle, 'ipam.allocate');
      await reserve(row);
      return row;
    }
    const hit = await findFree(tx, pool.id, len, align, pool.strategy as Strategy);
    if (!hit) throw noSpace(pool, len);
    await carve(tx, pool, hit.free, hit.place);
    return insertAssignment(tx, ctx, pool, hit.place, v, lifecycle, 'ipam.allocate');
  });
}

/**
 * The common case (no growth envelope) as one statement, allocate-next.ts: the rules are
 * applied first to the pool row last seen (allocate-next.ts remembers it), else to the row
 * read here without the lock — refusals write nothing and are only decided on a row just
 * read — and the function, having locked it, declines if what they read has changed.
 * Undefined: declined, the general path decides under the lock.
 */
async function allocateCommon(
  db: DbOrTx,
  ctx: RequestContext,
  v: Fields,
  lifecycle: Lifecycle,
): Promise<AssignmentRow | undefined> {
  let pool = rememberedPool(v.poolId);
  if (!pool || !passesPoolRules(pool, v.length, v.justification)) {
    [pool] = await db.select().from(pools).where(eq(pools.id, v.poolId));
    if (!pool) throw new NotFoundError('Pool', v.poolId);
    mustBeLive(pool);
    checkPoolRules(pool, v.length, v.justification);
    rememberPool(pool);
  }
  const next = await allocateNext(db, ctx, v, lifecycle, 'ipam.allocate', pool);
  if (next.outcome === 'done') return next.assignment;
  if (next.outcome === 'no-space') throw noSpace(next.pool, v.length);
  return undefined;
}

const noSpace = (pool: PoolRow, len: number) =>
  new PolicyRefusalError('no-space', `pool ${pool.name} (${pool.prefix}) has no free /${len}`);

/** A staff-chosen prefix, with the same rules: inside the pool, aligned, free. NOC only. */
export async function assignPrefix(
  db: DbOrTx,
  ctx: RequestContext,
  input: AssignInput,
): Promise<AssignmentRow> {
  mustOperate(ctx, 'assigns prefixes by hand');
  const v = parseInput(assignSchema, input);
  const block = toBlock(v.prefix, ['input', 'prefix']);
  return inTransaction(db, async (tx) => {
    const pool = await lockPool(tx, v.poolId);
    mustBeLive(pool);
    const poolBlock = toBlock(pool.prefix);
    if (block.family !== poolBlock.family || block.len < poolBlock.len || !isInside(poolBlock, block)) {
      throw new PolicyRefusalError(
        'inside-pool',
        `${v.prefix} is not inside pool ${pool.name} (${pool.prefix})`,
      );
    }
    checkPoolRules(pool, block.len, v.justification);
    const align = alignmentLength(block.family, block.len);
    if (!isAligned(block.family, block.net, align)) {
      throw new PolicyRefusalError(
        'alignment',
        `${v.prefix} does not start on a /${align} boundary (reverse delegation)`,
      );
    }
    const free = await freeBlockAround(tx, pool.id, block);
    if (!free) throw new PolicyRefusalError('not-free', `${v.prefix} is not free in pool ${pool.name}`);
    await carve(tx, pool, free, block);
    return insertAssignment(tx, ctx, pool, block, { ...v, length: block.len }, 'active', 'ipam.assign');
  });
}

const isInside = (outer: Block, inner: Block) =>
  inner.net >= outer.net &&
  inner.net < outer.net + (1n << BigInt((outer.family === 4 ? 32 : 128) - outer.len));

/**
 * What an assignment of /len needs of its pool (rules.ts): the pool's own row is enough —
 * its status, prefix and assignment-size, which ipam_allocate_next re-checks under the lock.
 */
function checkPoolRules(pool: PoolRow, len: number, justification: string | undefined): void {
  const family = pool.family as 4 | 6;
  const info = { status: pool.status, prefix: blockOf(pool), assignmentSize: pool.assignmentSize };
  checkStatusUnder(family, ASSIGNMENT_STATUS[family], info);
  checkAssignmentFits({ ...info, name: pool.name }, len);
  checkJustification(family, len, justification);
}

/** The rules and a live pool, as a yes or no: a remembered row that fails is read again. */
function passesPoolRules(pool: PoolRow, len: number, justification: string | undefined): boolean {
  try {
    mustBeLive(pool);
    checkPoolRules(pool, len, justification);
    return true;
  } catch {
    return false;
  }
}

async function insertAssignment(
  tx: Tx,
  ctx: RequestContext,
  pool: PoolRow,
  block: Block,
  v: Fields,
  lifecycle: Lifecycle,
  action: string,
): Promise<AssignmentRow> {
  const adminC = v.adminC ?? pool.adminC;
  const techC = v.techC ?? pool.techC;
  const mntBy = v.mntBy ?? pool.mntBy;
  for (const [attr, list] of [
    ['admin-c', adminC],
    ['tech-c', techC],
    ['mnt-by', mntBy],
  ] as const) {
    if (list.length === 0) {
      throw new PolicyRefusalError(
        'rpsl-mandatory',
        `${attr} is mandatory: give it or set it on pool ${pool.name}`,
      );
    }
  }
  const now = ctx.clock.now();
  const row = one(
    await tx
      .insert(assignments)
      .values({
        poolId: pool.id,
        institutionId: v.institutionId,
        siteId: v.siteId ?? null,
        family: block.family,
        prefix: fromBlock(block),
        status: ASSIGNMENT_STATUS[block.family],
        lifecycle,
        purpose: v.purpose,
        justification: v.justification ?? null,
        requestId: v.requestId ?? null,
        netname:
          v.netname ?? pool.netname ?? `NET-${fromBlock(block).replace(/[^0-9a-fA-F]+/g, '-')}`.slice(0, 80),
        country: (v.country ?? pool.country ?? 'FR').toUpperCase(),
        adminC,
        techC,
        mntBy,
        source: pool.source,
        descr: v.descr ?? null,
        createdBy: actorLabel(ctx.actor),
        createdAt: now,
        activatedAt: lifecycle === 'active' ? now : null,
      })
      .returning(),
  );
  await tx
    .update(pools)
    .set({
      usedUnits: sql`${pools.usedUnits} + ${unitsOf(block.family, block.len)}`,
      assignmentCount: sql`${pools.assignmentCount} + 1`,
    })
    .where(eq(pools.id, pool.id));
  await recordChange(tx, ctx, {
    action,
    objectType: 'Assignment',
    objectId: row.id,
    institutionId: row.institutionId,
    after: row,
  });
  await recordAssignment(tx, ctx, row, row.requestId);
  return row;
}
