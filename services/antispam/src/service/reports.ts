import {
  ConflictError,
  ForbiddenError,
  isUuid,
  NotFoundError,
  parseInput,
  type RequestContext,
  ValidationError,
} from '@guichet/core';
import { and, asc, type Db, type DbOrTx, desc, eq, inArray, type Tx, translatePgError } from '@guichet/db';
import { canFileFor } from '@guichet/membership';
import type { Env } from '@guichet/workflow';
import { simpleParser } from 'mailparser';
import { ON_GATEWAY } from '../model.js';
import { learnMessage, scanMessage } from '../rspamd/rspamc.js';
import { type ReportPayload, reportInputSchema } from '../rules.js';
import { domains, reports } from '../tables.js';
import { addListEntry } from './filtering.js';

/**
 * Misclassification reports: a contact uploads the message (`.eml`) as a false positive (ham
 * rspamd took for spam) or a false negative (spam let through). It is size-limited, parsed with
 * mailparser (a message without headers or sender is refused), stored, and filed as a request
 * `antispam.misclassification`, whose ticket goes to the antispam queue; the scan step records
 * rspamd's score and symbols; once the NOC confirms, the learn step teaches rspamd and, for a
 * false positive if the NOC says so, puts the sender on the institution's allow list.
 */

export type ReportRow = typeof reports.$inferSelect;

/** From the mutation's input to the request payload: the message is stored first, the payload names it. */
export async function reportPayload(
  env: Env,
  ctx: RequestContext,
  institutionId: string,
  input: unknown,
): Promise<ReportPayload> {
  const i = parseInput(reportInputSchema, input, ['input']);
  if (!isUuid(institutionId)) throw new NotFoundError('Institution', institutionId);
  // The engine refuses these callers too, but after this function: nothing is stored for them.
  if (!canFileFor(ctx.actor, institutionId))
    throw new ForbiddenError(
      'Only a technical contact of the institution (or the agreement desk) reports messages',
    );
  const max = env.line('antispam').config.ANTISPAM_REPORT_MAX_BYTES;
  const size = Buffer.byteLength(i.eml, 'utf8');
  if (size > max)
    throw ValidationError.field(['input', 'eml'], `the message is ${size} bytes; at most ${max}`);
  const parsed = await simpleParser(i.eml, {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
  });
  const sender = parsed.from?.value[0]?.address?.toLowerCase() ?? null;
  if (parsed.headers.size === 0 || !sender)
    throw ValidationError.field(['input', 'eml'], 'not an RFC 5322 message with a From address');
  let row: ReportRow | undefined;
  try {
    [row] = await env.database.db
      .insert(reports)
      .values({
        institutionId,
        kind: i.kind,
        message: i.eml,
        sender,
        subject: parsed.subject?.slice(0, 500) ?? null,
        createdAt: ctx.clock.now(),
      })
      .returning();
  } catch (e) {
    throw translatePgError(e, { missing: () => 'Institution' });
  }
  if (!row) throw new Error('reportPayload: no row');
  return { reportId: row.id, kind: i.kind, sender, subject: row.subject };
}

/** First step: the report belongs to this request (and this institution) only. */
export async function linkReport(tx: Tx, requestId: string, institutionId: string, reportId: string) {
  const [r] = await tx.select().from(reports).where(eq(reports.id, reportId)).for('update');
  if (!r || r.institutionId !== institutionId || (r.requestId && r.requestId !== requestId))
    throw ValidationError.field(['input', 'reportId'], 'not a message reported for this request');
  await tx.update(reports).set({ requestId, state: 'filed' }).where(eq(reports.id, reportId));
}

async function getReport(db: DbOrTx, id: string): Promise<ReportRow> {
  const [r] = isUuid(id) ? await db.select().from(reports).where(eq(reports.id, id)) : [];
  if (!r) throw new NotFoundError('AntispamReport', id);
  return r;
}

/** A recipient of the institution for the scan: the settings rspamd applies are per recipient domain. */
async function recipientFor(db: Db, r: ReportRow): Promise<string | null> {
  const parsed = await simpleParser(r.message, { skipHtmlToText: true, skipTextToHtml: true });
  const tos = [parsed.to, parsed.cc]
    .flat()
    .flatMap((a) => (a ? a.value : []))
    .map((a) => a.address?.toLowerCase())
    .filter((a): a is string => !!a);
  const own = await db
    .select({ domain: domains.domain })
    .from(domains)
    .where(and(eq(domains.institutionId, r.institutionId), inArray(domains.state, [...ON_GATEWAY])));
  const names = new Set(own.map((d) => d.domain));
  return tos.find((a) => names.has(a.slice(a.lastIndexOf('@') + 1))) ?? tos[0] ?? null;
}

/** The scan step: rspamd's score, action and symbols, stored on the report (what the NOC reviews). */
export async function scanReport(env: Env, reportId: string) {
  const db = env.database.db;
  const r = await getReport(db, reportId);
  const scan = await scanMessage(env.line('antispam').config.ANTISPAM_RSPAMD_SCANNER, r.message, {
    from: r.sender,
    rcpt: await recipientFor(db, r),
  });
  await db
    .update(reports)
    .set({ score: scan.score, action: scan.action, symbols: scan.symbols, state: 'scanned' })
    .where(eq(reports.id, r.id));
  return scan;
}

/** The learn step (after the NOC's confirmation); idempotent, a retry learns nothing twice. */
export async function learnReport(env: Env, ctx: RequestContext, reportId: string, allowSender: boolean) {
  const db = env.database.db;
  const r = await getReport(db, reportId);
  const as = r.kind === 'false-positive' ? 'ham' : 'spam';
  const learned = await learnMessage(env.line('antispam').config.ANTISPAM_RSPAMD_CONTROLLER, r.message, as);
  let allowListed: string | null = null;
  await db.transaction(async (tx) => {
    if (allowSender && r.kind === 'false-positive' && r.sender) {
      try {
        await tx.transaction((s) =>
          addListEntry(
            env,
            ctx,
            { institutionId: r.institutionId, list: 'allow', entry: r.sender as string, reportId: r.id },
            s,
          ),
        );
        allowListed = r.sender;
      } catch (e) {
        // Already listed (by a retry of this step, or by the contact): the sender is where the NOC wants it.
        if (!(e instanceof ConflictError)) throw e;
        allowListed = r.sender;
      }
    }
    await tx
      .update(reports)
      .set({ state: 'learned', learnedAt: ctx.clock.now() })
      .where(eq(reports.id, r.id));
  });
  return { learned, as, allowListed };
}

export async function dismissReport(tx: Tx, requestId: string) {
  await tx.update(reports).set({ state: 'dismissed' }).where(eq(reports.requestId, requestId));
}

export const institutionReports = (db: DbOrTx, institutionId: string) =>
  db
    .select()
    .from(reports)
    .where(eq(reports.institutionId, institutionId))
    .orderBy(desc(reports.createdAt))
    .limit(100);

export const allReports = (db: DbOrTx) =>
  db.select().from(reports).orderBy(asc(reports.state), desc(reports.createdAt)).limit(200);

export async function reportForRequest(db: DbOrTx, requestId: string): Promise<ReportRow | null> {
  const [r] = await db.select().from(reports).where(eq(reports.requestId, requestId));
  return r ?? null;
}
