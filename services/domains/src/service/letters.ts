import { recordChange } from '@guichet/audit';
import { ConflictError, ForbiddenError, type RequestContext } from '@guichet/core';
import { and, type DbOrTx, eq, inArray, one, type Tx } from '@guichet/db';
import { canSignFor, contacts, institutions } from '@guichet/membership';
import { renderLetter } from '../letter.js';
import type { Pricing } from '../model.js';
import { type DomainRow, domains, type LetterRow, letters } from '../tables.js';

/**
 * The letter of a registration request: rendered from the domain row and the people it names,
 * stored per pass, signed by the head of institution on the hash of what they read.
 */

export async function renderFor(db: DbOrTx, row: DomainRow, requestId: string, priorReview?: string) {
  const [inst] = await db.select().from(institutions).where(eq(institutions.id, row.institutionId));
  if (!inst) throw new Error(`institution ${row.institutionId} is missing`);
  const ids = [row.adminContactId, ...row.techContactIds];
  const people = await db.select().from(contacts).where(inArray(contacts.id, ids));
  const person = (id: string) => {
    const c = people.find((p) => p.id === id);
    return { name: c?.name ?? id, email: c?.email ?? '' };
  };
  return renderLetter({
    requestId,
    institution: { name: inst.name, siren: inst.siren, kind: inst.kind as 'tutelle' | 'contrat' },
    uName: row.uName,
    aName: row.name,
    holder: row.holder,
    admin: person(row.adminContactId),
    techs: row.techContactIds.map(person),
    nameservers: row.nameservers,
    ds: row.ds,
    periodYears: row.periodYears,
    price: { pricing: row.pricing as Pricing, cents: row.priceCents },
    ...(priorReview ? { priorReview } : {}),
  });
}

/** Renders and keeps the letter of this pass (again only if the text changed). */
export async function prepareLetter(
  tx: Tx,
  domainId: string,
  requestId: string,
  pass: number,
  priorReview?: string,
): Promise<LetterRow> {
  const row = one(await tx.select().from(domains).where(eq(domains.id, domainId)));
  const doc = await renderFor(tx, row, requestId, priorReview);
  const [kept] = await tx
    .insert(letters)
    .values({ requestId, pass, text: doc.text, hash: doc.hash })
    .onConflictDoUpdate({
      target: [letters.requestId, letters.pass],
      set: { text: doc.text, hash: doc.hash },
    })
    .returning();
  return one(kept ? [kept] : []);
}

export async function letterOf(db: DbOrTx, requestId: string, pass?: number): Promise<LetterRow | undefined> {
  const rows = await db
    .select()
    .from(letters)
    .where(
      pass === undefined
        ? eq(letters.requestId, requestId)
        : and(eq(letters.requestId, requestId), eq(letters.pass, pass)),
    );
  return rows.sort((a, b) => b.pass - a.pass)[0];
}

/**
 * The head of institution signs the letter they read: `documentHash` must be the hash of the
 * stored text, else ConflictError (nobody signs what they did not read). Kept: who, when, hash.
 */
export async function signLetter(
  tx: Tx,
  ctx: RequestContext,
  institutionId: string,
  requestId: string,
  pass: number,
  documentHash: string,
): Promise<LetterRow> {
  const { actor } = ctx;
  if (actor.kind !== 'contact' || !canSignFor(actor, institutionId)) {
    throw new ForbiddenError('Only the head of institution signs the letter of commitment');
  }
  const [letter] = await tx
    .select()
    .from(letters)
    .where(and(eq(letters.requestId, requestId), eq(letters.pass, pass)))
    .for('update');
  if (!letter) throw new Error(`request ${requestId}: no letter for pass ${pass}`);
  if (letter.hash !== documentHash) throw new ConflictError('the letter changed since you read it');
  const signed = one(
    await tx
      .update(letters)
      .set({ signedByContactId: actor.id, signedByName: actor.displayName, signedAt: ctx.clock.now() })
      .where(eq(letters.id, letter.id))
      .returning(),
  );
  await recordChange(tx, ctx, {
    action: 'domains.signLetter',
    objectType: 'DomainLetter',
    objectId: letter.id,
    institutionId,
    before: { ...letter, text: undefined },
    after: { ...signed, text: undefined },
  });
  return signed;
}
