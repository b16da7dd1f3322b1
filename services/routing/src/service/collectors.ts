import { recordChange } from '@guichet/audit';
import {
  canWrite,
  ForbiddenError,
  hasStaffRole,
  parseInput,
  type RequestContext,
  ValidationError,
} from '@guichet/core';
import { type DbOrTx, eq, one, type Tx, translatePgError } from '@guichet/db';
import { z } from 'zod';
import { collectors, sessions } from '../tables.js';

export type CollectorRow = typeof collectors.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;

/** Collectors and sessions are the NOC's (admin stands in). */
export function mustOperate(ctx: RequestContext, what: string): void {
  if (!hasStaffRole(ctx.actor, 'noc') || !canWrite(ctx.actor))
    throw new ForbiddenError(`only the NOC ${what}`);
}

export { one } from '@guichet/db';

export { parseInput };

const asn = z.number().int().min(1).max(4294967295);
const v4 = z.ipv4();
const address = z.union([z.ipv4(), z.ipv6()]);

export const createCollectorSchema = z
  .object({
    name: z
      .string()
      .trim()
      .regex(/^[A-Za-z][A-Za-z0-9_-]{0,62}$/, 'letters, digits, _ and -, starting with a letter'),
    asn,
    routerId: v4,
    region: z.string().trim().min(1).max(200),
    /** The file the collector's BIRD loads, and its control socket: where configurations are deployed. */
    birdConfigPath: z
      .string()
      .trim()
      .regex(/^\/[^\0]{1,1000}$/, 'an absolute path')
      .optional(),
    birdSocket: z
      .string()
      .trim()
      .regex(/^\/[^\0]{1,1000}$/, 'an absolute path')
      .optional(),
  })
  .refine((c) => Boolean(c.birdConfigPath) === Boolean(c.birdSocket), {
    path: ['birdSocket'],
    message: 'birdConfigPath and birdSocket go together',
  });
export type CreateCollectorInput = z.input<typeof createCollectorSchema>;

export const createSessionSchema = z
  .object({
    collectorId: z.uuid(),
    name: z
      .string()
      .trim()
      .regex(
        /^[a-z][a-z0-9_]{0,62}$/,
        'lower-case letters, digits and _, starting with a letter (a BIRD name)',
      ),
    peerAddress: address,
    localAddress: address.optional(),
    localPort: z.number().int().min(1).max(65535).optional(),
    peerPort: z.number().int().min(1).max(65535).optional(),
    multihop: z.boolean().optional(),
    peerAsn: asn,
    importLimit: z.number().int().min(1).max(1_000_000),
  })
  .refine((s) => !s.localAddress || s.localAddress.includes(':') === s.peerAddress.includes(':'), {
    path: ['localAddress'],
    message: 'same address family as the peer',
  });
export type CreateSessionInput = z.input<typeof createSessionSchema>;

export async function createCollector(
  db: DbOrTx,
  ctx: RequestContext,
  input: CreateCollectorInput,
): Promise<CollectorRow> {
  mustOperate(ctx, 'creates collectors');
  const v = parseInput(createCollectorSchema, input);
  try {
    return await (db as Tx).transaction(async (tx) => {
      const row = one(
        await tx
          .insert(collectors)
          .values({ ...v, routerId: v.routerId, createdAt: ctx.clock.now() })
          .returning(),
      );
      await recordChange(tx, ctx, {
        action: 'routing.createCollector',
        objectType: 'Collector',
        objectId: row.id,
        after: row,
      });
      return row;
    });
  } catch (e) {
    throw translatePgError(e, {
      conflicts: { routing_collectors_name_key: `a collector named ${v.name} exists already` },
    });
  }
}

export async function createSession(
  db: DbOrTx,
  ctx: RequestContext,
  input: CreateSessionInput,
): Promise<SessionRow> {
  mustOperate(ctx, 'creates sessions');
  const v = parseInput(createSessionSchema, input);
  try {
    return await (db as Tx).transaction(async (tx) => {
      const [c] = await tx
        .select({ id: collectors.id })
        .from(collectors)
        .where(eq(collectors.id, v.collectorId));
      if (!c) throw ValidationError.field(['input', 'collectorId'], 'no such collector');
      const row = one(
        await tx
          .insert(sessions)
          .values({
            collectorId: v.collectorId,
            name: v.name,
            peerAddress: v.peerAddress,
            localAddress: v.localAddress ?? null,
            localPort: v.localPort ?? null,
            peerPort: v.peerPort ?? null,
            multihop: v.multihop ?? false,
            peerAsn: v.peerAsn,
            importLimit: v.importLimit,
            createdAt: ctx.clock.now(),
          })
          .returning(),
      );
      await recordChange(tx, ctx, {
        action: 'routing.createSession',
        objectType: 'Session',
        objectId: row.id,
        after: row,
      });
      return row;
    });
  } catch (e) {
    throw translatePgError(e, {
      conflicts: { routing_sessions_name_key: `the collector has a session named ${v.name} already` },
    });
  }
}
