import { type Actor, isUuid, ValidationError } from '@guichet/core';
import { and, asc, type DbOrTx, eq, inArray, isNull, lte, type SQL, sql } from '@guichet/db';
import { readableInstitutions } from '@guichet/membership';
import {
  alignmentLength,
  type Block,
  fromBlock,
  type Lifecycle,
  maxBits,
  sizeOf,
  toBlock,
} from '../model.js';
import { expandRow, topOf } from '../service/freelist.js';
import type { AssignmentRow, PoolRow, ReservationRow } from '../service/internal.js';
import { assignments, freeBlocks, pools, reservations } from '../tables.js';

/**
 * Reads behind the ipam GraphQL fields. Visibility is decided here, from the actor: staff (and
 * scripts) read everything; a contact reads only their institution's assignments; pools, free
 * space and reservations are the operator's. Every list is keyset-paged on an index or a
 * small set; free space is read from the free list, never by loading assignments.
 */

// --- cursors ------------------------------------------------------------------------------

export const prefixCursor = (row: { prefix: string; id: string }): string =>
  Buffer.from(JSON.stringify([row.prefix, row.id])).toString('base64url');

export function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string' && isUuid(v[1])) {
      toBlock(v[0]);
      return [v[0], v[1]];
    }
  } catch {
    // fall through
  }
  throw ValidationError.field(['after'], 'not a cursor of this list');
}

// --- pools --------------------------------------------------------------------------------

export interface PoolFilter {
  family?: 4 | 6 | null;
  /** A pool id: its direct children. Absent: every pool. */
  parentId?: string | null;
  /** Retired pools too (default: live pools only). */
  includeRetired?: boolean | null;
}

/** Pools by prefix (IPv4 first, then IPv6), after the cursor. Staff only: the caller checks. */
export async function listPools(
  db: DbOrTx,
  filter: PoolFilter,
  after: string | undefined,
  limit: number,
): Promise<PoolRow[]> {
  const where: (SQL | undefined)[] = [];
  if (filter.family) where.push(eq(pools.family, filter.family));
  if (!filter.includeRetired) where.push(isNull(pools.retiredAt));
  if (filter.parentId != null) {
    if (!isUuid(filter.parentId)) return [];
    where.push(eq(pools.parentId, filter.parentId));
  }
  if (after !== undefined) {
    const [prefix, id] = decodeCursor(after);
    where.push(sql`(${pools.prefix}, ${pools.id}) > (${prefix}::cidr, ${id}::uuid)`);
  }
  return db
    .select()
    .from(pools)
    .where(and(...where))
    .orderBy(asc(pools.prefix), asc(pools.id))
    .limit(limit);
}

export async function getPool(db: DbOrTx, id: string): Promise<PoolRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(pools).where(eq(pools.id, id));
  return row;
}

/** The largest block of the pool's free list (lowest address among equals): one index probe. */
export async function largestFreeBlock(db: DbOrTx, poolId: string): Promise<string | null> {
  const [row] = await db
    .select({ prefix: freeBlocks.prefix, cut: freeBlocks.cut })
    .from(freeBlocks)
    .where(eq(freeBlocks.poolId, poolId))
    .orderBy(asc(freeBlocks.masklen), asc(freeBlocks.prefix))
    .limit(1);
  return row ? fromBlock(topOf(row)) : null;
}

/**
 * The first `first` free blocks of `length` in address order, aligned as the allocator
 * aligns (IPv6 on a nibble boundary, IPv4 CIDR): read from the free list (at most `first`
 * free blocks, since each yields at least one), then split in memory.
 */
export async function freeBlocksOf(
  db: DbOrTx,
  pool: PoolRow,
  length: number,
  first: number,
): Promise<string[]> {
  const family = pool.family as 4 | 6;
  const poolLen = toBlock(pool.prefix).len;
  if (!Number.isInteger(length) || length <= poolLen || length > maxBits(family)) {
    throw ValidationError.field(
      ['length'],
      `must be longer than the pool's /${poolLen} and at most /${maxBits(family)}`,
    );
  }
  if (!Number.isInteger(first) || first < 0 || first > 100) {
    throw ValidationError.field(['first'], 'must be between 0 and 100');
  }
  if (first === 0) return [];
  const align = alignmentLength(family, length);
  const out: string[] = [];
  const step = sizeOf(family, align);
  const size = sizeOf(family, length);
  // Rows in address order, a tail's blocks smallest first: unaligned small blocks yield none,
  // so rows are read in pages until `first` blocks are found.
  let after: string | undefined;
  for (;;) {
    const rows = await db
      .select({ prefix: freeBlocks.prefix, cut: freeBlocks.cut })
      .from(freeBlocks)
      .where(
        and(
          eq(freeBlocks.poolId, pool.id),
          lte(freeBlocks.masklen, length),
          after === undefined ? undefined : sql`${freeBlocks.prefix} > ${after}::cidr`,
        ),
      )
      .orderBy(asc(freeBlocks.prefix))
      .limit(first);
    for (const row of rows) {
      for (const free of expandRow(row)) {
        if (free.len > length) continue;
        const end = free.net + sizeOf(family, free.len) - 1n;
        for (let net = ((free.net + step - 1n) / step) * step; net + size - 1n <= end; net += step) {
          out.push(fromBlock({ family, net, len: length }));
          if (out.length >= first) return out;
        }
      }
    }
    if (rows.length < first) return out;
    after = rows[rows.length - 1]!.prefix;
  }
}

export async function liveReservations(db: DbOrTx, poolId: string): Promise<ReservationRow[]> {
  return db
    .select()
    .from(reservations)
    .where(and(eq(reservations.poolId, poolId), isNull(reservations.releasedAt)))
    .orderBy(asc(reservations.prefix));
}

// --- assignments --------------------------------------------------------------------------

export interface AssignmentFilter {
  institutionId?: string | null;
  poolId?: string | null;
  lifecycle?: Lifecycle | null;
}

/**
 * Assignments the actor may see (staff: all; a contact: their institution's), by prefix then
 * id, after the cursor. A filter naming another institution yields nothing, as if it had none.
 */
export async function listAssignments(
  db: DbOrTx,
  actor: Actor,
  filter: AssignmentFilter,
  after: string | undefined,
  limit: number,
): Promise<AssignmentRow[]> {
  const visible = readableInstitutions(actor);
  if (visible !== 'all' && visible.length === 0) return [];
  const where: (SQL | undefined)[] = [];
  if (visible !== 'all') where.push(inArray(assignments.institutionId, visible));
  if (filter.institutionId != null) {
    if (!isUuid(filter.institutionId)) return [];
    where.push(eq(assignments.institutionId, filter.institutionId));
  }
  if (filter.poolId != null) {
    if (!isUuid(filter.poolId)) return [];
    where.push(eq(assignments.poolId, filter.poolId));
  }
  if (filter.lifecycle) where.push(eq(assignments.lifecycle, filter.lifecycle));
  if (after !== undefined) {
    const [prefix, id] = decodeCursor(after);
    where.push(sql`(${assignments.prefix}, ${assignments.id}) > (${prefix}::cidr, ${id}::uuid)`);
  }
  return db
    .select()
    .from(assignments)
    .where(and(...where))
    .orderBy(asc(assignments.prefix), asc(assignments.id))
    .limit(limit);
}

/** One assignment if the actor may see it; otherwise undefined, exactly as if it did not exist. */
export async function getAssignment(
  db: DbOrTx,
  actor: Actor,
  id: string,
): Promise<AssignmentRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(assignments).where(eq(assignments.id, id));
  if (!row) return undefined;
  const visible = readableInstitutions(actor);
  return visible === 'all' || visible.includes(row.institutionId) ? row : undefined;
}

/** The assignment a request of kind `ipam.prefix` made (the caller already sees the request). */
export async function assignmentOfRequest(db: DbOrTx, requestId: string): Promise<AssignmentRow | undefined> {
  const [row] = await db
    .select()
    .from(assignments)
    .where(eq(assignments.requestId, requestId))
    .orderBy(asc(assignments.createdAt))
    .limit(1);
  return row;
}
