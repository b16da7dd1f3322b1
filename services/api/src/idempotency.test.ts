import { systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { DEMO_INSTITUTIONS, seedDemoMembership } from '@guichet/membership';
import { freshDatabase } from '@guichet/testkit';
import { purgeExpiredKeys } from '@guichet/workflow';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contactToken, institutionId, staffWithToken, testApp } from './test-app.js';

/**
 * Idempotency over HTTP: the `Idempotency-Key` header (two identical calls racing → one
 * execution, the same answer; a rerun after a crash between the filing's commit and the
 * stored answer → no second filing; another input → IDEMPOTENCY_CONFLICT) and the bulk mutation's
 * per-item keys, dry run and per-item typed errors.
 */

const ERR = '... on Error { __typename code message } ... on ValidationError { issues { path message } }';
const REQUEST_PREFIX = `mutation($input: RequestPrefixInput!) { r: requestPrefix(input: $input) {
  __typename ... on RequestPrefixPayload { request { id status } } ${ERR} } }`;
const BULK = `mutation($input: RequestPrefixesInput!) { r: requestPrefixes(input: $input) {
  __typename ... on RequestPrefixesPayload { dryRun succeeded failed results { __typename
    ... on BulkItem { index idempotencyKey replayed request { id } }
    ... on Error { code message } ... on ValidationError { issues { path } } } }
  ${ERR} } }`;

type App = Awaited<ReturnType<typeof testApp>>;

describe(`idempotency on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let t: App;
  let instA: string;
  let techA: string;
  let techB: string;
  const requests = async () =>
    Number((await database.query<{ n: number }>('SELECT count(*)::int AS n FROM workflow_requests'))[0]?.n);
  const prefix = (purpose: string) => ({ institutionId: instA, family: 'IPV6', length: 48, purpose });

  beforeAll(async () => {
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    t = await testApp(database, {});
    const noc = (await staffWithToken(database, 'noc-idem', ['noc'])).token;
    instA = await institutionId(database, DEMO_INSTITUTIONS[0]!.shortName);
    techA = await contactToken(database, instA);
    techB = await contactToken(database, await institutionId(database, DEMO_INSTITUTIONS[1]!.shortName));
    const pool = await t.gql(
      `mutation { createPool(input: { name: "v6", prefix: "2001:db8::/32", ripeStatus: "ALLOCATED-BY-RIR", purpose: "t",
        adminC: ["NOC1-RIPE"], techC: ["NOC1-RIPE"], mntBy: ["TEST-MNT"], acceptBogon: true }) { __typename } }`,
      {},
      noc,
    );
    expect(pool.body.data?.createPool.__typename, JSON.stringify(pool.body)).toBe('CreatePoolPayload');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });
  afterEach(() => {
    const crashes = t.crashes();
    t.logs.length = 0;
    expect(crashes).toEqual([]);
  });

  it('runs two identical calls racing under one key once, and gives both the same answer', async () => {
    const before = await requests();
    const headers = { 'idempotency-key': 'race-1' };
    const input = prefix('race');
    const [a, b] = await Promise.all([
      t.gql(REQUEST_PREFIX, { input }, techA, headers),
      t.gql(REQUEST_PREFIX, { input }, techA, headers),
    ]);
    expect(a.body.data.r.__typename, JSON.stringify(a.body)).toBe('RequestPrefixPayload');
    expect(b.body).toEqual(a.body);
    expect(await requests()).toBe(before + 1);
    // A later repeat is a replay, said so in a header.
    const c = await t.gql(REQUEST_PREFIX, { input }, techA, headers);
    expect(c.body).toEqual(a.body);
    expect(c.headers['idempotent-replayed']).toBe('true');
    expect(await requests()).toBe(before + 1);
  });

  it('files nothing twice when the process died after the filing committed, before its answer was stored', async () => {
    const before = await requests();
    const headers = { 'idempotency-key': 'crash-1' };
    const input = prefix('crash');
    const first = await t.gql(REQUEST_PREFIX, { input }, techA, headers);
    expect(first.body.data.r.__typename, JSON.stringify(first.body)).toBe('RequestPrefixPayload');
    // What a kill between the two leaves: the filing committed, the header's claim still
    // running and its lease lapsed (as 5 minutes later), no answer stored.
    await database.query(
      `UPDATE idempotency_keys SET state = 'running', response = NULL, locked_until = now() - interval '1 second'
        WHERE key = 'crash-1'`,
    );
    // Two repeats at once: one takes the lapsed claim over and runs the mutation again, which
    // finds its filing's own key done; the other waits for it. Both answer the first request.
    const [a, b] = await Promise.all([
      t.gql(REQUEST_PREFIX, { input }, techA, headers),
      t.gql(REQUEST_PREFIX, { input }, techA, headers),
    ]);
    expect(a.body.data.r.request.id, JSON.stringify(a.body)).toBe(first.body.data.r.request.id);
    expect(b.body).toEqual(a.body);
    expect(await requests()).toBe(before + 1);
    const keys = await database.query<{ key: string; state: string }>(
      "SELECT key, state FROM idempotency_keys WHERE key LIKE '%crash-1' ORDER BY key",
    );
    expect(keys).toEqual([
      { key: 'crash-1', state: 'done' },
      { key: 'effect r crash-1', state: 'done' },
    ]);
  });

  it('refuses the same key with another input (IDEMPOTENCY_CONFLICT), and keeps keys per actor', async () => {
    const headers = { 'idempotency-key': 'conflict-1' };
    const first = await t.gql(REQUEST_PREFIX, { input: prefix('one') }, techA, headers);
    expect(first.body.data.r.__typename).toBe('RequestPrefixPayload');
    const before = await requests();
    const other = await t.gql(REQUEST_PREFIX, { input: prefix('two') }, techA, headers);
    expect(other.body.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(await requests()).toBe(before);
    // Another actor's key space: B's same key runs (and is refused on its own merits).
    const b = await t.gql(REQUEST_PREFIX, { input: prefix('two') }, techB, headers);
    expect(b.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // A malformed key is a validation error, nothing runs.
    const bad = await t.gql(REQUEST_PREFIX, { input: prefix('x') }, techA, { 'idempotency-key': 'a b' });
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('VALIDATION');
    expect(await requests()).toBe(before);
  });

  it('purges expired keys, after which the key is free again', async () => {
    const n = await purgeExpiredKeys(database.db, new Date(Date.now() + 25 * 3600_000));
    expect(n).toBeGreaterThanOrEqual(2);
    const rows = await database.query<{ n: number }>('SELECT count(*)::int AS n FROM idempotency_keys');
    expect(rows[0]?.n).toBe(0);
  });

  it('files bulk items one transaction each: a bad item is a typed error, the good ones stay', async () => {
    const before = await requests();
    const items = [
      { idempotencyKey: 'bulk-0', input: prefix('bulk 0') },
      { idempotencyKey: 'bulk-1', input: { ...prefix('bulk 1'), length: 129 } },
      { idempotencyKey: 'bulk-2', input: prefix('bulk 2') },
      { input: { ...prefix('not mine'), institutionId: instA } },
    ];
    const res = await t.gql(BULK, { input: { items: items.slice(0, 3) } }, techA);
    const r = res.body.data.r;
    expect(r, JSON.stringify(res.body)).toMatchObject({ dryRun: false, succeeded: 2, failed: 1 });
    expect(r.results[1].__typename).toBe('ValidationError');
    expect(r.results[1].issues[0].path).toEqual(['input', 'items', '1', 'input', 'length']);
    expect(await requests()).toBe(before + 2);
    // The re-run replays the good ones and retries the bad one.
    const again = (await t.gql(BULK, { input: { items: items.slice(0, 3) } }, techA)).body.data.r;
    expect(again.results.map((x: { replayed?: boolean }) => x.replayed)).toEqual([true, undefined, true]);
    expect(again.results[0].request.id).toBe(r.results[0].request.id);
    expect(await requests()).toBe(before + 2);
    // Another institution's item is a FORBIDDEN item, not an aborted batch.
    const b = (await t.gql(BULK, { input: { items: [items[3]] } }, techB)).body.data.r;
    expect(b.results[0].code).toBe('FORBIDDEN');
    // Same key, other input: that item only.
    const c = (
      await t.gql(BULK, { input: { items: [{ idempotencyKey: 'bulk-0', input: prefix('changed') }] } }, techA)
    ).body.data.r;
    expect(c.results[0]).toMatchObject({ __typename: 'IdempotencyError', code: 'IDEMPOTENCY_CONFLICT' });
    expect(await requests()).toBe(before + 2);
  });

  it('writes nothing in a dry run, and refuses more than 500 items', async () => {
    const before = await requests();
    const keys = async () =>
      Number((await database.query<{ n: number }>('SELECT count(*)::int AS n FROM idempotency_keys'))[0]?.n);
    const k = await keys();
    const items = [
      { idempotencyKey: 'dry-0', input: prefix('dry 0') },
      { idempotencyKey: 'dry-1', input: { ...prefix('dry 1'), length: 129 } },
    ];
    const r = (await t.gql(BULK, { input: { items, dryRun: true } }, techA)).body.data.r;
    expect(r).toMatchObject({ dryRun: true, succeeded: 1, failed: 1 });
    expect(r.results[1].code).toBe('VALIDATION');
    expect(r.results[0]).toMatchObject({ __typename: 'BulkItem', request: null, replayed: false });
    expect(await requests()).toBe(before);
    expect(await keys()).toBe(k);
    const many = Array.from({ length: 501 }, (_, i) => ({ input: prefix(`many ${i}`) }));
    const big = (await t.gql(BULK, { input: { items: many } }, techA)).body.data.r;
    expect(big.code).toBe('VALIDATION');
    expect(await requests()).toBe(before);
  });

  it('runs two racing bulk calls with the same keys once', async () => {
    const before = await requests();
    const items = [0, 1, 2].map((i) => ({ idempotencyKey: `bulk-race-${i}`, input: prefix(`race ${i}`) }));
    const [a, b] = await Promise.all([
      t.gql(BULK, { input: { items } }, techA),
      t.gql(BULK, { input: { items } }, techA),
    ]);
    const ids = (x: typeof a) => x.body.data.r.results.map((y: { request: { id: string } }) => y.request.id);
    expect(ids(a)).toEqual(ids(b));
    expect(await requests()).toBe(before + 3);
  });
});
