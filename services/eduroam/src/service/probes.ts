import { ConflictError, type RequestContext, systemContext } from '@guichet/core';
import { and, type Db, type DbOrTx, desc, eq, inArray, lt, ne, or, sql } from '@guichet/db';
import { type Env, fileRequest } from '@guichet/workflow';
import type { EduroamRuntime } from '../config.js';
import { DOWN_AFTER, TIMEOUT_MEANING } from '../model.js';
import { type Exchange, RadiusClient, RadiusTimeout } from '../radius/client.js';
import { probes, secrets, servers } from '../tables.js';
import { completeRotation, openServerSecret } from './servers.js';

/**
 * Status-Server probes (RFC 5997) of institution servers, sent from the proxy's address with
 * Message-Authenticator, as the proxy itself checks its home servers. One round probes every
 * due server at once (EDUROAM_PROBE_CONCURRENCY in flight) over one shared socket, so a round
 * takes about one timeout bound however many servers are dead. Results are written in two
 * statements whatever the number of servers; the state machine (model.ts `nextProbeState`) runs
 * in SQL on each row, so a round and a one-server probe cannot lose each other's counts.
 * A server that had answered before and fails DOWN_AFTER times in a row opens an
 * `eduroam.serverDown` request (ticket, email to the eduroam and technical contacts); its
 * recovery closes it. During a secret rotation the next secret is tried when the current one
 * gets no answer: the server answering it ends the rotation.
 */

export const SERVER_DOWN = 'eduroam.serverDown';

export interface ProbeResult {
  serverId: string;
  ok: boolean;
  rttMs: number | null;
  outcome: 'ok' | 'timeout' | 'error';
  secret: 'current' | 'next';
  detail: string | null;
}

export interface RoundSummary {
  probed: number;
  up: number;
  failed: number;
  turnedDown: number;
  recovered: number;
  rotated: number;
  ms: number;
}

interface Target {
  id: string;
  address: string;
  port: number;
  current: { id: string; sealed: string } | null;
  next: { id: string; sealed: string; validUntil: Date | null } | null;
}

async function targets(db: DbOrTx, ids: readonly string[] | null, dueBefore: Date | null): Promise<Target[]> {
  const rows = await db
    .select({
      id: servers.id,
      address: sql<string>`host(${servers.address})`,
      port: servers.port,
      secretId: secrets.id,
      sealed: secrets.sealed,
      status: secrets.status,
      validUntil: secrets.validUntil,
    })
    .from(servers)
    .innerJoin(secrets, and(eq(secrets.serverId, servers.id), ne(secrets.status, 'retired')))
    .where(
      and(
        eq(servers.state, 'active'),
        eq(servers.transport, 'udp'),
        ids ? inArray(servers.id, [...ids]) : undefined,
        dueBefore ? or(sql`${servers.lastProbeAt} IS NULL`, lt(servers.lastProbeAt, dueBefore)) : undefined,
      ),
    );
  const byId = new Map<string, Target>();
  for (const r of rows) {
    const t = byId.get(r.id) ?? { id: r.id, address: r.address, port: r.port, current: null, next: null };
    if (r.status === 'current') t.current = { id: r.secretId, sealed: r.sealed };
    else t.next = { id: r.secretId, sealed: r.sealed, validUntil: r.validUntil };
    byId.set(r.id, t);
  }
  return [...byId.values()];
}

/** Probes one server: the current secret, then (rotating) the next one. Never throws. */
async function probeOne(rt: EduroamRuntime, client: RadiusClient, t: Target): Promise<ProbeResult> {
  const tries: ['current' | 'next', { id: string; sealed: string }][] = [];
  if (t.current) tries.push(['current', t.current]);
  if (t.next) tries.push(['next', t.next]);
  let last: ProbeResult = {
    serverId: t.id,
    ok: false,
    rttMs: null,
    outcome: 'error',
    secret: 'current',
    detail: 'no secret',
  };
  for (const [which, s] of tries) {
    try {
      const x: Exchange = await client.exchange({
        host: t.address,
        port: t.port,
        secret: openServerSecret(rt.secrets, s),
        code: 'Status-Server',
        timeoutMs: rt.config.EDUROAM_PROBE_TIMEOUT_MS,
        attempts: rt.config.EDUROAM_PROBE_ATTEMPTS,
      });
      const code = String(x.reply.code);
      // RFC 5997: an auth port answers Access-Accept; anything else authentic still proves life.
      return {
        serverId: t.id,
        ok: true,
        rttMs: Math.round(x.rttMs * 100) / 100,
        outcome: 'ok',
        secret: which,
        detail: code === 'Access-Accept' ? null : code,
      };
    } catch (e) {
      last =
        e instanceof RadiusTimeout
          ? {
              serverId: t.id,
              ok: false,
              rttMs: null,
              outcome: 'timeout',
              secret: which,
              detail: `${TIMEOUT_MEANING} (${e.message})`,
            }
          : {
              serverId: t.id,
              ok: false,
              rttMs: null,
              outcome: 'error',
              secret: which,
              detail: (e as Error).message.slice(0, 500),
            };
    }
  }
  return last;
}

/** Runs `work` over `items`, `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, work: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

interface Applied {
  id: string;
  institutionId: string;
  before: string;
  after: string;
  everUp: boolean;
  downRequestId: string | null;
}

/** Writes one round's results: the probe rows, then every server's new state in one statement. */
async function applyResults(
  db: Db,
  ctx: RequestContext,
  results: readonly ProbeResult[],
): Promise<Applied[]> {
  if (results.length === 0) return [];
  const now = ctx.clock.now();
  return db.transaction(async (tx) => {
    // Lock the rows first, in id order, before the probe rows' foreign keys take their share
    // locks (two rounds never deadlock), and read the states before.
    const before = new Map(
      (
        await tx
          .select({ id: servers.id, probeState: servers.probeState })
          .from(servers)
          .where(
            inArray(
              servers.id,
              results.map((r) => r.serverId),
            ),
          )
          .orderBy(servers.id)
          .for('no key update')
      ).map((r) => [r.id, r.probeState]),
    );
    for (let i = 0; i < results.length; i += 500) {
      await tx.insert(probes).values(
        results.slice(i, i + 500).map((r) => ({
          serverId: r.serverId,
          at: now,
          ok: r.ok,
          rttMs: r.rttMs,
          outcome: r.outcome,
          secret: r.secret,
          detail: r.detail,
        })),
      );
    }
    // One JSON parameter: the same on postgres.js and PGlite, whatever the number of servers.
    const json = JSON.stringify(
      results.map((r) => ({ id: r.serverId, ok: r.ok, rtt: r.rttMs, err: r.ok ? null : r.detail })),
    );
    // Mirrors model.ts nextProbeState: up at the first answer, down at the DOWN_AFTER-th failure.
    const rows = await tx.execute(sql`
      WITH r AS (
        SELECT * FROM jsonb_to_recordset(${json}::text::jsonb) AS r(id uuid, ok boolean, rtt real, err text)
      )
      UPDATE eduroam_servers s SET
        consecutive_failures = CASE WHEN r.ok THEN 0 ELSE s.consecutive_failures + 1 END,
        probe_state = CASE WHEN r.ok THEN 'up'
                           WHEN s.consecutive_failures + 1 >= ${DOWN_AFTER} THEN 'down'
                           ELSE s.probe_state END,
        last_probe_at = ${now},
        last_ok_at = CASE WHEN r.ok THEN ${now} ELSE s.last_ok_at END,
        first_ok_at = COALESCE(s.first_ok_at, CASE WHEN r.ok THEN ${now}::timestamptz END),
        last_rtt_ms = CASE WHEN r.ok THEN r.rtt ELSE s.last_rtt_ms END,
        last_error = r.err
      FROM r
      WHERE s.id = r.id
      RETURNING s.id, s.institution_id, s.probe_state AS after,
                s.first_ok_at IS NOT NULL AS ever_up, s.down_request_id`);
    // PGlite's driver answers { rows }, postgres.js an array of rows.
    const list: Record<string, unknown>[] = Array.isArray(rows)
      ? rows
      : (rows as unknown as { rows: Record<string, unknown>[] }).rows;
    return list.map((r) => toApplied({ ...r, before: before.get(String(r.id)) ?? 'unknown' }));
  });
}

const toApplied = (r: Record<string, unknown>): Applied => ({
  id: String(r.id),
  institutionId: String(r.institution_id),
  before: String(r.before),
  after: String(r.after),
  everUp: Boolean(r.ever_up),
  downRequestId: r.down_request_id ? String(r.down_request_id) : null,
});

/**
 * One probe round: every due server (last probed more than an interval ago), or the servers
 * named. Applies the results, opens outage requests, ends rotations the probes settled or
 * whose overlap is over.
 */
export async function probeRound(
  env: Env,
  ctx: RequestContext,
  opts: { serverIds?: readonly string[]; due?: boolean; client?: RadiusClient } = {},
): Promise<RoundSummary> {
  const db = env.database.db;
  const rt = env.line('eduroam');
  const t0 = performance.now();
  const now = ctx.clock.now();
  // A little slack: a round started on the minute should not skip a server probed 59.9 s ago.
  const dueBefore =
    opts.due === false
      ? null
      : new Date(now.getTime() - (rt.config.EDUROAM_PROBE_INTERVAL_SECONDS - 5) * 1000);
  const list = await targets(db, opts.serverIds ?? null, opts.serverIds ? null : dueBefore);
  const client =
    opts.client ??
    new RadiusClient(rt.config.EDUROAM_PROBE_SOURCE ? { bind4: rt.config.EDUROAM_PROBE_SOURCE } : {});
  let results: ProbeResult[];
  try {
    results = await pool(list, rt.config.EDUROAM_PROBE_CONCURRENCY, (t) => probeOne(rt, client, t));
  } finally {
    if (!opts.client) client.close();
  }
  const applied = await applyResults(db, ctx, results);
  const summary: RoundSummary = {
    probed: results.length,
    up: results.filter((r) => r.ok).length,
    failed: results.filter((r) => !r.ok).length,
    turnedDown: 0,
    recovered: 0,
    rotated: 0,
    ms: 0,
  };
  for (const a of applied) {
    if (a.before === 'down' && a.after === 'up') summary.recovered++;
    // A server that never answered is still being set up: no outage to report yet.
    if (a.after === 'down' && a.before !== 'down' && a.everUp && !a.downRequestId) {
      try {
        await fileRequest(db, systemContext('eduroam', ctx.requestId), env, {
          kind: SERVER_DOWN,
          institutionId: a.institutionId,
          payload: { serverId: a.id },
        });
        summary.turnedDown++;
      } catch (e) {
        // Another round opened it first (the request's first step refuses a second one).
        if (!(e instanceof ConflictError)) throw e;
      }
    }
  }
  // Rotations: the server answered the next secret (it switched), or the overlap is over.
  const byId = new Map(list.map((t) => [t.id, t]));
  for (const r of results) {
    const t = byId.get(r.serverId);
    const settled = r.ok && r.secret === 'next';
    const expired = t?.next?.validUntil && t.next.validUntil.getTime() <= now.getTime();
    if (t?.next && (settled || expired)) {
      const done = await db.transaction((tx) =>
        completeRotation(tx, env, ctx, r.serverId, settled ? 'probe' : 'overlap-ended'),
      );
      if (done) summary.rotated++;
    }
  }
  summary.ms = Math.round(performance.now() - t0);
  return summary;
}

export async function probeHistory(db: DbOrTx, serverId: string, limit: number) {
  return db
    .select()
    .from(probes)
    .where(eq(probes.serverId, serverId))
    .orderBy(desc(probes.at), desc(probes.id))
    .limit(limit);
}

/** Drops probe rows past the retention (EDUROAM_PROBE_RETENTION_DAYS); returns how many. */
export async function purgeProbes(db: Db, rt: EduroamRuntime, now: Date): Promise<number> {
  const before = new Date(now.getTime() - rt.config.EDUROAM_PROBE_RETENTION_DAYS * 86_400_000);
  const gone = await db.delete(probes).where(lt(probes.at, before)).returning({ id: probes.id });
  return gone.length;
}
