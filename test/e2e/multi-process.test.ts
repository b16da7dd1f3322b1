import { migrationNames } from '@guichet/db';
import { type SmtpSink, startSmtpSink } from '@guichet/testkit';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiProcess,
  freshStore,
  type GuichetProcess,
  gql,
  ok,
  type Store,
  startApi,
  startWorker,
  until,
  type Who,
} from './harness.js';

// The way a user outgrows one process: PostgreSQL, two api processes behind a proxy, two
// workers — all four started at the same moment on an empty database. 200 concurrent prefix
// requests spread over both apis, then a second wave during which one api is killed (SIGKILL,
// as the OOM killer would). Checked as an operator would: the requests, the assignments and
// the pool's counters in the database, the workers' logs, the mails received.

const SECRETS_KEY = 'q7bKcYcE5rUdgpqnVRC0VCAl5eXb7cd+AAtOVDlfLlY=';
const FIRST_WAVE = 200;
const SECOND_WAVE = 60;

let sink: SmtpSink;
let store: Store;
let sql: postgres.Sql;
let apis: ApiProcess[] = [];
let workers: GuichetProcess[] = [];
let staff: Who;
/** One site per request (a site's first /48 is approved by policy), with its filer. */
let sites: { id: string; eppn: string; institutionId: string }[] = [];

const REQUEST_PREFIX = `mutation ($input: RequestPrefixInput!) { requestPrefix(input: $input) {
  __typename ... on RequestPrefixPayload { request { id } } ... on Error { message code } } }`;

async function requestPrefix(api: ApiProcess, n: number, purpose: string) {
  const site = sites[n]!;
  const r = await gql<{ requestPrefix: { __typename: string; request?: { id: string } } }>(
    api.url,
    { eppn: site.eppn },
    REQUEST_PREFIX,
    { input: { institutionId: site.institutionId, family: 'IPV6', length: 48, siteId: site.id, purpose } },
  );
  if (r.errors?.length || !r.data.requestPrefix.request) {
    throw new Error(`requestPrefix ${purpose}: ${JSON.stringify(r.errors ?? r.data)}`);
  }
  return r.data.requestPrefix.request.id;
}

/** In batches of `width`, spread over the apis given. */
async function spread<T>(count: number, width: number, run: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += width) {
    out.push(
      ...(await Promise.all(Array.from({ length: Math.min(width, count - i) }, (_, k) => run(i + k)))),
    );
  }
  return out;
}

const settled = (purposes: string) => async () => {
  const [r] = await sql<{ open: number; pending: number }[]>`
    SELECT (SELECT count(*)::int FROM workflow_requests
             WHERE payload->>'purpose' LIKE ${purposes} AND status <> 'completed') AS open,
           (SELECT count(*)::int FROM workflow_notifications WHERE status <> 'sent') AS pending`;
  return r!.open === 0 && r!.pending === 0;
};

/** Where things stand, for the message of a wait that timed out. */
async function state(): Promise<string> {
  const rows = await sql`
    SELECT 'request ' || status || ' ' || coalesce(current_step, '-') AS what, count(*)::int AS n
      FROM workflow_requests GROUP BY 1
    UNION ALL SELECT 'step ' || step || ' ' || status, count(*)::int FROM workflow_step_runs GROUP BY 1
    UNION ALL SELECT 'notification ' || status, count(*)::int FROM workflow_notifications GROUP BY 1
    UNION ALL SELECT 'job ' || name || ' ' || state, count(*)::int FROM pgboss.job GROUP BY 1
    ORDER BY 1`;
  return rows.map((r) => `${r.what}: ${r.n}`).join('\n');
}

async function waitSettled(purposes: string, what: string) {
  try {
    await until(settled(purposes), 300_000, what);
  } catch (e) {
    throw new Error(`${String(e)}\n${await state()}`);
  }
}

/** Every job either worker started, by id: [worker index, attempt][]. */
function jobRuns() {
  const runs = new Map<string, { worker: number; attempt: number; job: string }[]>();
  workers.forEach((w, worker) => {
    for (const l of w.logLines()) {
      if (l.msg !== 'job started') continue;
      const id = String(l.jobId);
      runs.set(id, [...(runs.get(id) ?? []), { worker, attempt: Number(l.attempt), job: String(l.job) }]);
    }
  });
  return runs;
}

describe.runIf(process.env.TEST_DATABASE_URL)('two apis and two workers on one PostgreSQL', () => {
  beforeAll(async () => {
    sink = await startSmtpSink();
    store = await freshStore();
    sql = postgres(store.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
    const common = {
      DATABASE_URL: store.env.DATABASE_URL!,
      SECRETS_KEY,
      SMTP_URL: sink.url,
      MAIL_FROM: 'Guichet <guichet@guichet.test>',
      PUBLIC_URL: 'http://guichet.test',
      FEDERATION_TRUSTED_PROXIES: '127.0.0.1',
      JOBS_IN_PROCESS: 'false',
      RATE_LIMIT_PER_MINUTE: '100000',
    };
    // All four at the same moment, on a database with no table yet.
    const started = await Promise.allSettled([
      startApi({ ...common, DEMO: 'true' }, 240_000),
      startApi({ ...common, DEMO: 'false' }, 240_000),
      startWorker({ ...common, LOG_LEVEL: 'debug' }, 240_000),
      startWorker({ ...common, LOG_LEVEL: 'debug' }, 240_000),
    ]);
    apis = started.slice(0, 2).flatMap((r) => (r.status === 'fulfilled' ? [r.value as ApiProcess] : []));
    workers = started.slice(2).flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.filter((r) => r.status === 'rejected');
    if (failed.length)
      throw new Error(failed.map((r) => String((r as PromiseRejectedResult).reason)).join('\n'));

    staff = { token: apis[0]!.token };
    const pool = await ok<{ createPool: { __typename: string } }>(
      apis[0]!.url,
      staff,
      `mutation { createPool(input: { name: "LIR v6", prefix: "2001:db8::/32", purpose: "institutions",
        ripeStatus: "ALLOCATED-BY-RIR", adminC: ["NOC1-RIPE"], techC: ["NOC1-RIPE"], mntBy: ["TEST-MNT"],
        country: "FR", acceptBogon: true }) { __typename ... on Error { message } } }`,
    );
    expect(pool.data.createPool.__typename).toBe('CreatePoolPayload');
    const { data } = await ok<{
      institutions: { edges: { node: { id: string; contacts: { eppn: string | null }[] } }[] };
    }>(
      apis[0]!.url,
      staff,
      '{ institutions(first: 10) { edges { node { id contacts(role: TECHNICAL) { eppn } } } } }',
    );
    const insts = data.institutions.edges.map((e) => ({
      id: e.node.id,
      eppn: e.node.contacts.find((c) => c.eppn)!.eppn!,
    }));
    sites = await spread(FIRST_WAVE + SECOND_WAVE, 20, async (i) => {
      const inst = insts[i % insts.length]!;
      const r = await ok<{ addSite: { site?: { id: string } } }>(
        apis[i % 2]!.url,
        staff,
        `mutation ($input: AddSiteInput!) { addSite(input: $input) { ... on AddSitePayload { site { id } } } }`,
        {
          input: { institutionId: inst.id, name: `Site ${i}`, address: `${i} rue des Écoles`, city: 'Paris' },
        },
      );
      return { id: r.data.addSite.site!.id, eppn: inst.eppn, institutionId: inst.id };
    });
  }, 600_000);

  afterAll(async () => {
    const stops = await Promise.all([...apis, ...workers].map((p) => p.stop()));
    await sql?.end();
    await sink?.stop();
    await store?.drop();
    // Every process still running at the end stopped by itself on SIGTERM.
    expect(stops.filter((s) => !s.clean || s.left)).toEqual([]);
  }, 120_000);

  it('applied the migrations once though all four started at the same moment', async () => {
    const rows = await sql<{ name: string; n: number }[]>`
      SELECT name, count(*)::int AS n FROM drizzle.__drizzle_migrations GROUP BY name ORDER BY name`;
    expect(rows).toEqual(migrationNames().map((name) => ({ name, n: 1 })));
    expect(await sql`SELECT version FROM pgboss.version`).toHaveLength(1);
  });

  it('200 concurrent requests over both apis: all complete, no overlap, each job once, each mail once', async () => {
    const ids = await Promise.all(
      Array.from({ length: FIRST_WAVE }, (_, i) => requestPrefix(apis[i % 2]!, i, `mp1-${i}`)),
    );
    expect(new Set(ids).size).toBe(FIRST_WAVE);
    await waitSettled('mp1-%', 'first wave completed and its mails sent');

    // Completed, as the NOC sees them through either api.
    for (const api of apis) {
      const seen = new Set<string>();
      let after: string | null = null;
      do {
        const page: {
          data: {
            requests: {
              edges: { node: { id: string } }[];
              pageInfo: { endCursor: string | null; hasNextPage: boolean };
            };
          };
        } = await ok(
          api.url,
          staff,
          `query ($after: String) { requests(kind: "ipam.prefix", status: COMPLETED, first: 100, after: $after) {
            edges { node { id } } pageInfo { endCursor hasNextPage } } }`,
          { after },
        );
        for (const e of page.data.requests.edges) seen.add(e.node.id);
        after = page.data.requests.pageInfo.hasNextPage ? page.data.requests.pageInfo.endCursor : null;
      } while (after);
      expect([...seen].sort()).toEqual([...ids].sort());
    }

    // One active /48 per request, none overlapping another.
    const held = await sql<{ prefix: string; request_id: string; lifecycle: string }[]>`
      SELECT prefix::text, request_id, lifecycle FROM ipam_assignments`;
    expect(held.map((a) => a.request_id).sort()).toEqual([...ids].sort());
    expect(new Set(held.map((a) => a.prefix)).size).toBe(FIRST_WAVE);
    expect(held.every((a) => a.lifecycle === 'active' && a.prefix.endsWith('/48'))).toBe(true);
    const [overlaps] = await sql`SELECT count(*)::int AS n FROM ipam_assignments a
      JOIN ipam_assignments b ON a.id < b.id AND a.prefix && b.prefix`;
    expect(overlaps!.n).toBe(0);

    // Each job ran once, on one worker, at its first attempt; both workers took a share.
    const jobs = await sql<{ id: string; name: string; state: string; retry_count: number }[]>`
      SELECT id::text, name, state, retry_count FROM pgboss.job
      WHERE name IN ('workflow.external-step', 'workflow.send-notifications')`;
    expect(jobs.filter((j) => j.name === 'workflow.external-step')).toHaveLength(FIRST_WAVE);
    expect(jobs.filter((j) => j.state !== 'completed' || j.retry_count !== 0)).toEqual([]);
    const runs = jobRuns();
    expect(jobs.filter((j) => runs.get(j.id)?.length !== 1)).toEqual([]);
    expect([...runs.values()].flat().filter((r) => r.attempt !== 1)).toEqual([]);
    const share = [0, 1].map((w) => [...runs.values()].flat().filter((r) => r.worker === w).length);
    expect(
      share.every((n) => n > 0),
      `jobs per worker: ${share}`,
    ).toBe(true);

    // Each mail once: per request, template and recipient; every request got both.
    const mails = sink.messages.filter((m) => ids.includes(m.headers['x-guichet-request'] ?? ''));
    const keys = mails.map(
      (m) => `${m.headers['x-guichet-request']} ${m.headers['x-guichet-template']} ${m.to}`,
    );
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    for (const template of ['received', 'completed']) {
      const got = new Set(
        mails
          .filter((m) => m.headers['x-guichet-template'] === template)
          .map((m) => m.headers['x-guichet-request']),
      );
      expect(got.size, template).toBe(FIRST_WAVE);
    }
  }, 600_000);

  it('one api killed mid-run: the other goes on, and nothing is half-written', async () => {
    const [a, b] = [apis[0]!, apis[1]!];
    let fromB = 0;
    let killed: Promise<void> | undefined;
    const calls = Array.from({ length: SECOND_WAVE }, (_, i) => {
      const n = FIRST_WAVE + i;
      const api = i % 2 ? b : a;
      return requestPrefix(api, n, `mp2-${i}`).then(
        (id) => {
          // Kill b once some of its answers are back and more of its calls are in flight.
          if (api === b && ++fromB === 5) killed = b.kill();
          return { i, api, id };
        },
        (error: unknown) => ({ i, api, error }),
      );
    });
    const results = await Promise.all(calls);
    // b is out of the list only once it is gone: afterAll stops whatever is still in it.
    if (killed) {
      await killed;
      apis = [a];
    }
    expect(killed, 'b answered fewer than 5 calls before the kill').toBeDefined();
    const cut = results.filter((r) => 'error' in r);
    expect(cut.every((r) => r.api === b)).toBe(true); // a answered every call
    expect(cut.length).toBeGreaterThan(0); // the kill did interrupt calls in flight

    // A cut call left a whole request or nothing. Those that left nothing are sent again to a,
    // as the proxy would once b is out.
    const left = await sql<{ purpose: string; n: number }[]>`
      SELECT payload->>'purpose' AS purpose, count(*)::int AS n FROM workflow_requests
      WHERE payload->>'purpose' = ANY(${cut.map((r) => `mp2-${r.i}`)}) GROUP BY 1`;
    const done = new Set(left.map((r) => r.purpose));
    console.info(`second wave: the kill cut ${cut.length} calls to b; ${done.size} of them had committed`);
    for (const r of cut) if (!done.has(`mp2-${r.i}`)) await requestPrefix(a, FIRST_WAVE + r.i, `mp2-${r.i}`);
    await waitSettled('mp2-%', 'second wave completed and its mails sent');

    const perPurpose = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM workflow_requests
      WHERE payload->>'purpose' LIKE 'mp2-%' GROUP BY payload->>'purpose'`;
    expect(perPurpose.map((r) => r.n)).toEqual(Array(SECOND_WAVE).fill(1));

    // The invariants a half-write would break, over everything both waves wrote. A free-list row
    // stands for ipam_free_expand's blocks (a sparse pool's tail row covers its hole too).
    const [inv] = await sql`SELECT
      (SELECT count(*)::int FROM workflow_requests r WHERE NOT EXISTS
         (SELECT 1 FROM workflow_tickets t WHERE t.request_id = r.id)) AS without_ticket,
      (SELECT count(*)::int FROM workflow_requests r WHERE r.kind = 'ipam.prefix' AND (SELECT count(*)
         FROM ipam_assignments a WHERE a.request_id = r.id AND a.lifecycle = 'active') <> 1) AS without_one_assignment,
      (SELECT count(*)::int FROM ipam_assignments a WHERE a.request_id IS NULL
         OR NOT EXISTS (SELECT 1 FROM workflow_requests r WHERE r.id = a.request_id)) AS orphan_assignments,
      (SELECT count(*)::int FROM ipam_free_blocks f CROSS JOIN ipam_free_expand(f.prefix, f.cut) b
         JOIN ipam_assignments a ON a.pool_id = f.pool_id AND a.prefix && b) AS free_blocks_over_assignments,
      (SELECT count(*)::int FROM workflow_step_runs WHERE status NOT IN ('done', 'skipped')) AS open_steps`;
    expect(inv).toEqual({
      without_ticket: 0,
      without_one_assignment: 0,
      orphan_assignments: 0,
      free_blocks_over_assignments: 0,
      open_steps: 0,
    });
    // The pool's counters agree with its rows: size = used + free.
    const [pool] = await sql<
      { size: string; used: string; count: number; held: number; heldUnits: string; rest: string }[]
    >`
      SELECT p.size_units::text AS size, p.used_units::text AS used, p.assignment_count AS count,
        (SELECT count(*)::int FROM ipam_assignments a WHERE a.pool_id = p.id) AS held,
        (SELECT coalesce(sum(2::numeric ^ (p.unit_length - masklen(a.prefix))), 0)::bigint::text
          FROM ipam_assignments a WHERE a.pool_id = p.id) AS "heldUnits",
        (p.used_units + (SELECT coalesce(sum(2::numeric ^ (p.unit_length - masklen(b))), 0)
          FROM ipam_free_blocks f CROSS JOIN ipam_free_expand(f.prefix, f.cut) b
          WHERE f.pool_id = p.id))::bigint::text AS rest
      FROM ipam_pools p WHERE p.name = 'LIR v6'`; // the demo's own pools stand beside it
    expect(pool!.held).toBe(FIRST_WAVE + SECOND_WAVE);
    expect({ used: pool!.used, count: pool!.count, usedPlusFree: pool!.rest }).toEqual({
      used: pool!.heldUnits,
      count: pool!.held,
      usedPlusFree: pool!.size,
    });

    // And a still answers.
    const viewer = await ok<{ viewer: { kind: string } }>(a.url, staff, '{ viewer { kind } }');
    expect(viewer.data.viewer.kind).toBe('STAFF');
  }, 600_000);
});
