import { buildApp } from '@guichet/api';
import { composeEnv, loadComposedConfig } from '@guichet/compose';
import { createLogger, systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { createInstitution, luhnComplete } from '@guichet/membership';
import { chromium } from 'playwright-core';
import { childEntry, runChildSection } from './child-db.js';
import type { LoadReport } from './load.js';
import { staffToken } from './pages.js';
import { fmt, pct, table } from './util.js';

/*
 * Section "console" of `pnpm bench`: the NOC queue with 10,000 open tickets. Time from
 * navigating to /noc to its first page of 25 rows on screen in headless Chromium (the page, its
 * two queries, the render) vs the page's ticket query alone, replayed over HTTP exactly as the
 * browser sent it. The tickets are seeded in one SQL statement (copies of one real request and
 * its ticket, a second apart), on PostgreSQL when it answers, else PGlite.
 */

const TICKETS = 10_000;
const RUNS = 15;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function consoleSection(adminUrl?: string): Promise<LoadReport> {
  return runChildSection('test/bench/console.ts', adminUrl, { reportTimeoutMs: 600_000 });
}

async function seed(database: Database, url: string, deskToken: string, deskActor: never): Promise<void> {
  const desk = { ...systemContext('bench-console'), actor: deskActor };
  const { institution } = await createInstitution(database.db, desk, {
    name: 'Université Console Bench',
    shortName: 'UCONSOLE',
    kind: 'tutelle',
    siren: luhnComplete('31000000'),
    collector: 'Collecte Example',
    mainSite: { name: 'Campus principal', address: '1 rue de la Paix', city: 'Lyon' },
    agreement: { conventionRef: 'C', charterRef: 'CH', bandwidthMbps: 1000, services: ['ipam'] },
  });
  // One real request (and its ticket, as the workflow opens it), the template of the others.
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${deskToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `mutation($i: RequestContactChangeInput!) { r: requestContactChange(input: $i) {
        ... on RequestContactChangePayload { request { id } } ... on Error { message } } }`,
      variables: {
        i: {
          institutionId: institution.id,
          action: 'ADD',
          name: 'Someone',
          email: 's@b.example.fr',
          roles: ['SERVICE'],
        },
      },
    }),
  });
  const body = (await res.json()) as { data?: { r: { request?: { id: string }; message?: string } } };
  const template = body.data?.r.request?.id;
  if (!template) throw new Error(`seed request: ${JSON.stringify(body).slice(0, 300)}`);
  await database.query(
    `WITH copies AS (
       INSERT INTO workflow_requests (id, kind, institution_id, requester, requester_contact_id, payload,
         status, current_step, reason, revision, created_at, submitted_at, updated_at, closed_at)
       SELECT gen_random_uuid(), kind, institution_id, requester, requester_contact_id, payload,
         status, current_step, reason, revision, created_at - g * interval '1 second',
         submitted_at - g * interval '1 second', updated_at, closed_at
       FROM workflow_requests, generate_series(1, $2::int) AS g WHERE id = $1
       RETURNING id, created_at)
     INSERT INTO workflow_tickets (id, request_id, institution_id, queue, owner_id, state, response_due_at,
       resolution_due_at, first_response_at, resolved_at, paused_since, paused_seconds, created_at,
       response_minutes, resolution_minutes, closed_at)
     SELECT gen_random_uuid(), c.id, t.institution_id, t.queue, t.owner_id, t.state,
       t.response_due_at - (t.created_at - c.created_at), t.resolution_due_at - (t.created_at - c.created_at),
       t.first_response_at, t.resolved_at, t.paused_since, t.paused_seconds, c.created_at,
       t.response_minutes, t.resolution_minutes, t.closed_at
     FROM copies c, workflow_tickets t WHERE t.request_id = $1`,
    [template, TICKETS - 1],
  );
  const [n] = await database.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM workflow_tickets WHERE state IN ('new', 'open', 'waiting')`,
  );
  if (n?.n !== TICKETS) throw new Error(`seeded ${n?.n} open tickets, not ${TICKETS}`);
}

async function measure(database: Database, engine: string): Promise<LoadReport> {
  const failures: string[] = [];
  // The page under test is the portal as built from this checkout.
  const web = (await import('../../scripts/build-web.mjs' as string)) as {
    webStaleReason(): string | undefined;
    buildWeb(o: { log: (s: string) => void }): Promise<void>;
  };
  if (web.webStaleReason()) await web.buildWeb({ log: () => {} });
  const composed = loadComposedConfig({
    ...process.env,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const env = composeEnv({ database, config: composed, logger: createLogger('silent') });
  const app = await buildApp({ env });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const { actor: deskActor, token: deskToken } = await staffToken(database, 'bench-console-desk', ['desk']);
  const { token } = await staffToken(database, 'bench-console-noc', ['noc']);
  const seedStart = performance.now();
  await seed(database, url, deskToken, deskActor as never);
  const seedSec = (performance.now() - seedStart) / 1000;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  const lat = { page: [] as number[], query: [] as number[] };
  let sent: string | undefined;
  try {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    // The page's own ticket query, kept to replay it alone.
    page.on('request', (r) => {
      const data = r.method() === 'POST' && r.url().endsWith('/graphql') ? r.postData() : null;
      if (data?.includes('query NocQueue')) sent = data;
    });
    await page.goto(url);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const open = async () => {
      await page.goto('about:blank');
      const t = performance.now();
      await page.goto(`${url}/noc`);
      await page.locator('tbody tr').nth(24).waitFor({ timeout: 60_000 });
      return performance.now() - t;
    };
    const query = async () => {
      const t = performance.now();
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: sent,
      });
      const b = (await res.json()) as { data?: { tickets: { edges: unknown[] } }; errors?: unknown };
      if (b.data?.tickets.edges.length !== 25)
        failures.push(`console: query answered ${JSON.stringify(b).slice(0, 200)}`);
      return performance.now() - t;
    };
    await open();
    if (!sent) throw new Error('the page sent no NocQueue query');
    for (let i = 0; i < 3; i++) await query();
    for (let i = 0; i < RUNS; i++) {
      // Interleaved: both see the same moments of the machine's load.
      lat.page.push(await open());
      lat.query.push(await query());
    }
    if ((await page.locator('tbody tr').count()) !== 25) failures.push('console: the page shows not 25 rows');
    await context.close();
  } finally {
    await browser.close();
    await app.close();
  }
  const ratio = pct(lat.page, 50) / pct(lat.query, 50);
  const rows = [
    ['/noc to 25 rows on screen (Chromium)', fmt(pct(lat.page, 50)), fmt(pct(lat.page, 90)), fmt(ratio)],
    ['the page’s NocQueue query alone (HTTP)', fmt(pct(lat.query, 50)), fmt(pct(lat.query, 90)), ''],
  ];
  const text = [
    `## console: NOC queue first page with ${TICKETS.toLocaleString('en')} open tickets, on ${engine}`,
    '',
    `seed: ${TICKETS} requests and tickets in one statement: ${fmt(seedSec, 1)} s; ${RUNS} runs each, interleaved`,
    '',
    table(['what', 'p50 ms', 'p90 ms', 'page/query p50'], rows),
  ].join('\n');
  return { text, ratios: [['console first page render/NocQueue query p50', ratio]], failures };
}

childEntry(import.meta.url, { name: 'console', max: 10, measure });
