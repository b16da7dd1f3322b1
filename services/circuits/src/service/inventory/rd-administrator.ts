import { recordChange } from '@guichet/audit';
import { PolicyRefusalError, parseInput, type RequestContext, ValidationError } from '@guichet/core';
import { type Db, eq, one } from '@guichet/db';
import { z } from 'zod';
import { formatRdRt, RdRtError, type RdType, typeForAdministrator } from '../../rd-rt.js';
import { rdAdministrators } from '../../tables.js';
import { mustOperate } from '../access.js';
import { write } from './write.js';

export const setRdAdministratorSchema = z.object({
  administrator: z.string().trim().min(1).max(15),
  type: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  rdFrom: z.number().int().min(0),
  rdTo: z.number().int().min(0),
  rtFrom: z.number().int().min(0),
  rtTo: z.number().int().min(0),
});

/**
 * Declares the RD/RT administrator (the operator's AS, or an IPv4 address of it) and the
 * number ranges to assign from; replaces the active one (RDs and RTs already given keep theirs).
 */
export async function setRdAdministrator(
  db: Db,
  ctx: RequestContext,
  input: z.input<typeof setRdAdministratorSchema>,
) {
  mustOperate(ctx, 'declares the RD/RT administrator');
  const v = parseInput(setRdAdministratorSchema, input);
  const type: RdType = v.type ?? typeForAdministrator(v.administrator);
  let administrator = v.administrator;
  for (const [k, n] of [
    ['rdFrom', v.rdFrom],
    ['rdTo', v.rdTo],
    ['rtFrom', v.rtFrom],
    ['rtTo', v.rtTo],
  ] as const) {
    try {
      administrator = formatRdRt(k.startsWith('rd') ? 'RD' : 'RT', type, v.administrator, n).administrator;
    } catch (e) {
      if (e instanceof RdRtError)
        throw new PolicyRefusalError('circuits.rd-rt-invalid', `${k}: ${e.message}`);
      throw e;
    }
  }
  if (v.rdFrom > v.rdTo) throw ValidationError.field(['input', 'rdTo'], 'at least rdFrom');
  if (v.rtFrom > v.rtTo) throw ValidationError.field(['input', 'rtTo'], 'at least rtFrom');
  return write(db, async (tx) => {
    const [before] = await tx
      .select()
      .from(rdAdministrators)
      .where(eq(rdAdministrators.active, true))
      .for('update');
    if (before)
      await tx.update(rdAdministrators).set({ active: false }).where(eq(rdAdministrators.id, before.id));
    const row = one(
      await tx
        .insert(rdAdministrators)
        .values({
          type,
          administrator,
          rdFrom: v.rdFrom,
          rdTo: v.rdTo,
          rtFrom: v.rtFrom,
          rtTo: v.rtTo,
          createdAt: ctx.clock.now(),
        })
        .returning(),
    );
    await recordChange(tx, ctx, {
      action: 'circuits.setRdAdministrator',
      objectType: 'RdAdministrator',
      objectId: row.id,
      before,
      after: row,
    });
    return row;
  });
}

/** The L2 MTU a live attachment needs (used by the port MTU check and the sheets). */
