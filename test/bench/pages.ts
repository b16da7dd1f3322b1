import { buildApp, createApiToken, createLocalStaff } from '@guichet/api';
import { composeEnv, loadComposedConfig } from '@guichet/compose';
import { type Actor, createLogger, type StaffRole, systemClock, systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { allocatePrefix, createPool } from '@guichet/ipam';
import { createContact, createInstitution, luhnComplete } from '@guichet/membership';
import { childEntry, nocContext, RPSL, runChildSection } from './child-db.js';
import type { LoadReport } from './load.js';
import { fmt, pct, table } from './util.js';

/*
 * Section "pages" of `pnpm bench`: the N+1 check in time. A page of 100 institutions (sites,
 * contacts and roles, agreement, versions, the first page of their prefixes with each one's pool
 * and its utilisation: 3 prefixes each in 2 pools, paged by 2), 100 requests (institution, steps, history) and
 * 100 tickets (comments) vs the same page of 10, through the real app (inject: no socket), on
 * PostgreSQL when it answers, else PGlite. Batched nested lists make the page of 100 cost a
 * small multiple of the page of 10 (target ≤ 3×); one query per parent row would make it ~10×.
 * services/api/src/no-n-plus-one.test.ts counts the statements; this measures the time.
 */

const ROWS = 100;
const RUNS = 20;

const QUERIES: [string, string, string][] = [
  [
    'institutions',
    'institutions',
    `query($first: Int!) { institutions(first: $first) { edges { node {
      id name sites { id name } contacts { id name roles } technical: contacts(role: TECHNICAL) { id }
      agreement { id version services } agreementVersions { version status }
      prefixes(first: 2) { edges { node { prefix lifecycle pool { name utilisation { ratio } } } }
        pageInfo { hasNextPage endCursor } } } } } }`,
  ],
  [
    'requests',
    'requests',
    `query($first: Int!) { requests(first: $first) { edges { node {
      id status institution { id shortName } steps { name state } history { type } } } } }`,
  ],
  [
    'tickets',
    'tickets',
    'query($first: Int!) { tickets(first: $first) { edges { node { id comments { body } } } } }',
  ],
];

export function pagesSection(adminUrl?: string): Promise<LoadReport> {
  return runChildSection('test/bench/pages.ts', adminUrl, { reportTimeoutMs: 300_000 });
}

export async function staffToken(
  database: Database,
  username: string,
  roles: StaffRole[],
): Promise<{ actor: Actor; token: string }> {
  const staff = await createLocalStaff(database, { username, displayName: username, roles });
  const actor: Actor = {
    kind: 'staff',
    id: staff.id,
    username,
    displayName: username,
    roles,
    credential: { method: 'session', scope: 'write' },
  };
  const ctx = { actor, requestId: `bench-${username}`, clock: systemClock };
  const issued = await createApiToken(database, ctx, { name: `bench ${username}`, scope: 'write' });
  return { actor, token: issued.secret };
}

async function measure(database: Database, engine: string): Promise<LoadReport> {
  const failures: string[] = [];
  const ratios: [string, number][] = [];
  const composed = loadComposedConfig({
    ...process.env,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const env = composeEnv({ database, config: composed, logger: createLogger('silent') });
  const app = await buildApp({ env });
  const { actor: deskActor, token: deskToken } = await staffToken(database, 'bench-desk', ['desk']);
  const { token: adminToken } = await staffToken(database, 'bench-admin', ['admin']);
  const gql = async (query: string, variables: object, token: string) => {
    const res = await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ query, variables }),
    });
    const body = res.json() as { data?: Record<string, unknown>; errors?: unknown };
    if (res.statusCode !== 200 || body.errors)
      throw new Error(`HTTP ${res.statusCode}: ${res.body.slice(0, 300)}`);
    return body.data!;
  };

  // --- seed: as no-n-plus-one.test.ts -------------------------------------------------------
  const seedStart = performance.now();
  const desk = { ...systemContext('bench-pages'), actor: deskActor };
  const pool = (name: string, prefix: string, status = 'ALLOCATED-BY-RIR') =>
    createPool(database.db, nocContext(), {
      name,
      prefix,
      status,
      purpose: 'bench',
      acceptBogon: true, // documentation and benchmark space are refused unless accepted
      ...RPSL,
    });
  const v6 = await pool('bench v6', '2001:db8::/32');
  const v4 = await pool('bench v4', '198.18.0.0/15', 'ALLOCATED PA');
  let first = '';
  for (let i = 0; i < ROWS; i++) {
    const { institution } = await createInstitution(database.db, desk, {
      name: `Université Bench ${String(i).padStart(3, '0')}`,
      shortName: `UBENCH-${i}`,
      kind: 'tutelle',
      siren: luhnComplete(String(30_000_000 + i)),
      collector: 'Collecte Example',
      mainSite: { name: 'Campus principal', address: '1 rue de la Paix', city: 'Lyon' },
      secondarySites: [{ name: 'Annexe', address: '2 rue du Nord', city: 'Villeurbanne' }],
      agreement: { conventionRef: 'C', charterRef: 'CH', bandwidthMbps: 1000, services: ['ipam'] },
    });
    first ||= institution.id;
    await createContact(database.db, desk, {
      institutionId: institution.id,
      name: `Tech ${i}`,
      email: `tech${i}@bench${i}.example.fr`,
      roles: ['technical'],
    });
    // Three prefixes (a /24 and two /48s, two pools), so that a page of 2 has a next page.
    for (const [poolId, length] of [
      [v4.id, 24],
      [v6.id, 48],
      [v6.id, 48],
    ] as const) {
      await allocatePrefix(database.db, nocContext(), {
        poolId,
        length,
        institutionId: institution.id,
        purpose: 'bench',
        justification: 'bench: campus network', // an IPv4 assignment states its use
      });
    }
  }
  for (let i = 0; i < ROWS; i++) {
    await gql(
      `mutation($i: RequestContactChangeInput!) { r: requestContactChange(input: $i) { __typename } }`,
      {
        i: {
          institutionId: first,
          action: 'ADD',
          name: `Person ${i}`,
          email: `p${i}@b.example.fr`,
          roles: ['SERVICE'],
        },
      },
      deskToken,
    );
  }
  const listed = (await gql('{ tickets(first: 100) { edges { node { id } } } }', {}, deskToken)) as {
    tickets: { edges: { node: { id: string } }[] };
  };
  for (const [i, { node }] of listed.tickets.edges.entries()) {
    await gql(
      'mutation($i: AddTicketCommentInput!) { r: addTicketComment(input: $i) { __typename } }',
      { i: { ticketId: node.id, body: `comment ${i}`, visibility: 'INSTITUTION' } },
      deskToken,
    );
  }
  const seedSec = (performance.now() - seedStart) / 1000;

  // --- page of 100 vs page of 10, ABBA ---------------------------------------------------------
  const rows: (string | number)[][] = [];
  for (const [name, root, query] of QUERIES) {
    const lat: Record<number, number[]> = { 10: [], 100: [] };
    const page = async (n: number) => {
      const t = performance.now();
      const data = (await gql(query, { first: n }, adminToken)) as Record<string, { edges: unknown[] }>;
      lat[n]!.push(performance.now() - t);
      const edges = data[root]!.edges as { node: { prefixes?: { pageInfo: { hasNextPage: boolean } } } }[];
      if (edges.length !== n) failures.push(`pages: ${name} first=${n} answered ${edges.length} rows`);
      if (edges.some((e) => e.node.prefixes && !e.node.prefixes.pageInfo.hasNextPage))
        failures.push(`pages: ${name} first=${n}: an institution's prefixes have no next page`);
    };
    for (let i = 0; i < 3; i++) for (const n of [10, 100]) await page(n);
    lat[10] = [];
    lat[100] = [];
    for (let i = 0; i < RUNS; i++) for (const n of i % 2 ? [100, 10] : [10, 100]) await page(n);
    const ratio = pct(lat[100]!, 50) / pct(lat[10]!, 50);
    ratios.push([`pages ${name} page of 100/page of 10 p50`, ratio]);
    for (const n of [10, 100])
      rows.push([name, n, fmt(pct(lat[n]!, 50)), fmt(pct(lat[n]!, 99)), n === 100 ? fmt(ratio) : '']);
  }
  await app.close();
  const text = [
    `## pages: a page of 100 vs a page of 10 with nested lists, on ${engine}`,
    '',
    `seed: ${ROWS} institutions (2 sites, a contact, an agreement, 3 prefixes each), ${ROWS} requests with tickets, ` +
      `${ROWS} comments: ${fmt(seedSec, 1)} s; ${RUNS} runs per page size, interleaved, app.inject`,
    '',
    table(['list', 'first', 'p50 ms', 'p99 ms', '100/10 p50'], rows),
  ].join('\n');
  return { text, ratios, failures };
}

childEntry(import.meta.url, { name: 'pages', max: 10, measure });
