import { recordChange } from '@guichet/audit';
import { actorLabel, PolicyRefusalError, type RequestContext, ValidationError } from '@guichet/core';
import { and, asc, eq, ne, PG, pgError, type SQL, sql, type Tx } from '@guichet/db';
import { assignments, pools } from '@guichet/ipam';
import { institutions } from '@guichet/membership';
import {
  checkImportLimit,
  type PlannedAnnouncement,
  type PrefixFacts,
  parsePrefixes,
  pendingPi,
  planAnnouncements,
  type RoutingLimits,
} from '../rules.js';
import { announcements, collectors, routedInstitutions, sessions } from '../tables.js';

/** What a `routing.change` asks for (the request's institution is the one that changes). */
export interface ChangeAsk {
  collectorId?: string;
  sessionId?: string;
  prefixes: string[];
  originAs?: number;
  pi?: { prefix: string; evidence: string }[];
}

export interface Plan {
  collectorId: string;
  sessionId: string;
  originAs: number;
  /** The collector the institution leaves (null: none, or the same). */
  fromCollectorId: string | null;
  announcements: PlannedAnnouncement[];
  pendingPi: string[];
}

const HOLDING = sql`('reserved', 'active', 'returned', 'quarantined')`;

function anyOverlap(column: SQL | unknown, list: string[]): SQL {
  if (list.length === 0) return sql`false`;
  return sql`(${sql.join(
    list.map((p) => sql`${column} && ${p}::cidr`),
    sql` OR `,
  )})`;
}

async function factsFor(tx: Tx, institutionId: string, list: string[]): Promise<PrefixFacts> {
  const own = await tx
    .select({ id: assignments.id, prefix: assignments.prefix })
    .from(assignments)
    .where(and(eq(assignments.institutionId, institutionId), eq(assignments.lifecycle, 'active')));
  const roots = await tx.select({ prefix: pools.prefix }).from(pools).where(eq(pools.depth, 0));
  const othersAssigned = await tx
    .select({ prefix: assignments.prefix, institution: institutions.shortName })
    .from(assignments)
    .innerJoin(institutions, eq(institutions.id, assignments.institutionId))
    .where(
      and(
        ne(assignments.institutionId, institutionId),
        sql`${assignments.lifecycle} IN ${HOLDING}`,
        anyOverlap(assignments.prefix, list),
      ),
    );
  const othersAnnounced = await tx
    .select({ prefix: announcements.prefix, institution: institutions.shortName })
    .from(announcements)
    .innerJoin(institutions, eq(institutions.id, announcements.institutionId))
    .where(and(ne(announcements.institutionId, institutionId), anyOverlap(announcements.prefix, list)));
  const pi = await tx
    .select()
    .from(announcements)
    .where(
      and(
        eq(announcements.institutionId, institutionId),
        eq(announcements.source, 'pi'),
        sql`${announcements.acceptedAt} IS NOT NULL`,
      ),
    );
  return {
    own,
    operatorSpace: roots.map((r) => r.prefix),
    othersAssigned,
    othersAnnounced,
    acceptedPi: pi.map((p) => ({
      prefix: p.prefix,
      evidence: p.evidence,
      acceptedBy: p.acceptedBy ?? '',
      acceptedAt: p.acceptedAt ?? new Date(0),
    })),
  };
}

/**
 * Checks a change against every rule and says what to write. With `lock` (the apply step),
 * the institution's routing row and the target session are locked first: two changes on one
 * session queue there, so the import-limit count cannot be raced; the exclusion constraint
 * stays the backstop for "announced for another institution".
 */
export async function planChange(
  tx: Tx,
  limits: RoutingLimits,
  institutionId: string,
  ask: ChangeAsk,
  lock = false,
): Promise<Plan> {
  const parsed = parsePrefixes(ask.prefixes);
  const list = parsed.map((p) => p.prefix);
  const currentQ = tx
    .select()
    .from(routedInstitutions)
    .where(eq(routedInstitutions.institutionId, institutionId));
  const [current] = lock ? await currentQ.for('update') : await currentQ;
  const collectorId = ask.collectorId ?? current?.collectorId;
  if (!collectorId) {
    throw ValidationError.field(['input', 'collectorId'], 'required: the institution has no collector yet');
  }
  const [collector] = await tx.select().from(collectors).where(eq(collectors.id, collectorId));
  if (!collector) throw ValidationError.field(['input', 'collectorId'], 'no such collector');

  const facts = await factsFor(tx, institutionId, list);
  const evidence = new Map<string, string>();
  for (const [i, p] of (ask.pi ?? []).entries()) {
    const one = parsePrefixes([p.prefix]).map((x) => x.prefix)[0] ?? p.prefix;
    if (!list.includes(one)) {
      throw ValidationError.field(['input', 'pi', i, 'prefix'], `${one} is not in the prefixes to announce`);
    }
    evidence.set(one, p.evidence);
  }
  const planned = planAnnouncements(list, facts, limits, evidence);

  const onCollector = await tx
    .select()
    .from(sessions)
    .where(eq(sessions.collectorId, collectorId))
    .orderBy(asc(sessions.name));
  const load = async (sessionId: string) => {
    const [r] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(announcements)
      .innerJoin(routedInstitutions, eq(routedInstitutions.institutionId, announcements.institutionId))
      .where(
        and(eq(routedInstitutions.sessionId, sessionId), ne(announcements.institutionId, institutionId)),
      );
    return Number(r?.n ?? 0);
  };
  let sessionId = ask.sessionId ?? (current?.collectorId === collectorId ? current.sessionId : undefined);
  if (!sessionId) {
    if (onCollector.length === 0) {
      throw new PolicyRefusalError(
        'no-session',
        `collector ${collector.name} has no BGP session to carry prefixes`,
      );
    }
    // The first session (by name) with room; the first one otherwise, refused below.
    sessionId = onCollector[0]?.id;
    for (const s of onCollector) {
      if ((await load(s.id)) + planned.length <= s.importLimit) {
        sessionId = s.id;
        break;
      }
    }
  }
  const session = onCollector.find((s) => s.id === sessionId);
  if (!session)
    throw ValidationError.field(['input', 'sessionId'], `not a session of collector ${collector.name}`);
  if (lock)
    await tx.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, session.id)).for('update');
  checkImportLimit(session, (await load(session.id)) + planned.length);

  return {
    collectorId,
    sessionId: session.id,
    originAs: ask.originAs ?? current?.originAs ?? session.peerAsn,
    fromCollectorId: current && current.collectorId !== collectorId ? current.collectorId : null,
    announcements: planned,
    pendingPi: pendingPi(planned),
  };
}

/**
 * Replaces the institution's announcements, collector, session and origin AS in the caller's
 * transaction, with one change-log entry. `acceptedPi`: the PI prefixes the NOC accepted in
 * this request (any other PI must have been accepted before).
 */
export async function applyPlan(
  tx: Tx,
  ctx: RequestContext,
  institutionId: string,
  requestId: string | null,
  plan: Plan,
  acceptedPi: readonly string[],
): Promise<void> {
  const now = ctx.clock.now();
  const [before] = await tx
    .select()
    .from(routedInstitutions)
    .where(eq(routedInstitutions.institutionId, institutionId));
  const beforeList = await tx
    .select({ prefix: announcements.prefix, source: announcements.source })
    .from(announcements)
    .where(eq(announcements.institutionId, institutionId))
    .orderBy(asc(announcements.prefix));
  await tx.delete(announcements).where(eq(announcements.institutionId, institutionId));
  const rows = plan.announcements.map((a) => {
    if (a.source === 'ipam') {
      return {
        institutionId,
        prefix: a.prefix,
        family: a.family,
        source: 'ipam',
        assignmentId: a.assignmentId,
        requestId,
        createdAt: now,
      };
    }
    const accepted =
      a.accepted ?? (acceptedPi.includes(a.prefix) ? { by: actorLabel(ctx.actor), at: now } : null);
    if (!accepted) {
      throw new PolicyRefusalError(
        'pi-not-accepted',
        `${a.prefix}: a provider-independent prefix the NOC has not accepted`,
      );
    }
    return {
      institutionId,
      prefix: a.prefix,
      family: a.family,
      source: 'pi',
      evidence: a.evidence,
      acceptedBy: accepted.by,
      acceptedAt: new Date(accepted.at),
      requestId,
      createdAt: now,
    };
  });
  try {
    if (rows.length > 0) await tx.insert(announcements).values(rows);
  } catch (e) {
    const pg = pgError(e);
    if (pg?.code === PG.exclusionViolation) {
      throw new PolicyRefusalError(
        'announced-elsewhere',
        `a prefix overlaps one announced for another institution (${pg.detail ?? pg.constraint})`,
      );
    }
    throw e;
  }
  const values = {
    collectorId: plan.collectorId,
    sessionId: plan.sessionId,
    originAs: plan.originAs,
    requestId,
    updatedAt: now,
  };
  await tx
    .insert(routedInstitutions)
    .values({ institutionId, ...values })
    .onConflictDoUpdate({ target: routedInstitutions.institutionId, set: values });
  await recordChange(tx, ctx, {
    action: 'routing.change',
    objectType: 'InstitutionRouting',
    objectId: institutionId,
    institutionId,
    before: before ? { ...before, prefixes: beforeList } : null,
    after: { ...values, prefixes: rows.map((r) => ({ prefix: r.prefix, source: r.source })) },
  });
}
