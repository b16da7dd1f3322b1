import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyRspamdConfig } from '@guichet/antispam';
import { runTool, systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { DEMO_INSTITUTIONS, seedDemoMembership } from '@guichet/membership';
import { freshDatabase, type Rspamd, startRspamd, until } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactToken, institutionId, staffWithToken, testApp } from './test-app.js';

/**
 * Issue 13, per-institution filtering over the API with a real rspamd on loopback whose local.d
 * includes the releases Guichet publishes under ANTISPAM_RSPAMD_DIR. The institution's technical
 * contact lowers its reject threshold with `setAntispamSettings`: the change is in the change
 * log, the release passes `rspamadm configtest`, is swapped in, rspamd is reloaded, and its
 * verdict on the same message turns to `reject` — for that institution's domain only. Its allow
 * list accepts a sender it rejected (B, at the same threshold, still rejects it) and its deny list
 * rejects a clean sender for its domain only. Bad input is a typed error and publishes nothing;
 * another institution's contact is refused.
 */

const ERR = '... on Error { __typename code message }';
type App = Awaited<ReturnType<typeof testApp>>;
const DOMAIN_A = 'filter-a.example';
const DOMAIN_B = 'filter-b.example';

describe(`antispam filtering over GraphQL (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Database;
  let t: App;
  let rspamd: Rspamd;
  let base: string;
  let msg: string;
  let clean: string;
  let instA: string;
  let instB: string;
  const tok: Record<string, string> = {};

  /** A domain on the gateway, as a published onboarding leaves it (its self-tests are other tests'). */
  const onGateway = async (inst: string, domain: string) => {
    const [s] = await database.query<{ id: string }>(
      `INSERT INTO antispam_bind_secrets (id, institution_id, sealed) VALUES (gen_random_uuid(), $1, 'unused') RETURNING id`,
      [inst],
    );
    const [o] = await database.query<{ id: string }>(
      `INSERT INTO antispam_onboardings (institution_id, request_id, directory, bind_secret_id, next_hops, known_address, unknown_address, state)
       VALUES ($1, gen_random_uuid(), '{}'::jsonb, $2, '[]'::jsonb, $3, $4, 'published') RETURNING id`,
      [inst, s?.id, `known@${domain}`, `unknown@${domain}`],
    );
    await database.query(
      `INSERT INTO antispam_domains (institution_id, onboarding_id, domain, state) VALUES ($1, $2, $3, 'configured')`,
      [inst, o?.id, domain],
    );
  };

  const gql = async (token: string, query: string, variables?: Record<string, unknown>) => {
    const res = await t.gql(query, variables, token);
    expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
    return res.body.data.r;
  };

  const verdict = async (rcpt: string, from = 'someone@elsewhere.example', file = msg) => {
    const r = await runTool('rspamc', ['-h', rspamd.address, '--rcpt', rcpt, '--from', from, file], {
      timeoutMs: 30_000,
    });
    return /Action: (.+)/.exec(r.stdout)?.[1]?.trim();
  };

  const rspamdPublications = () =>
    database.query<{ status: string; hash: string }>(
      `SELECT status, hash FROM antispam_publications WHERE target = 'rspamd' ORDER BY at`,
    );

  beforeAll(async () => {
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    instA = await institutionId(database, String(DEMO_INSTITUTIONS[0]?.shortName));
    instB = await institutionId(database, String(DEMO_INSTITUTIONS[1]?.shortName));
    await onGateway(instA, DOMAIN_A);
    await onGateway(instB, DOMAIN_B);
    tok.techA = await contactToken(database, instA);
    tok.techB = await contactToken(database, instB);
    tok.noc = (await staffWithToken(database, 'noc-filter', ['noc'])).token;
    base = mkdtempSync(join(tmpdir(), 'guichet-rspamd-live-'));
    // The gateway's local.d as the README says: one include per file, `current` swapped under it.
    // `try`: the daemon starts before the first release exists.
    rspamd = await startRspamd(
      {
        'local.d/settings.conf': `.include(try=true) "${base}/current/settings.conf"\n`,
        'local.d/multimap.conf': `.include(try=true) "${base}/current/multimap.conf"\n`,
      },
      copyRspamdConfig,
    );
    msg = join(base, 'm.eml');
    writeFileSync(
      msg,
      'From: someone@elsewhere.example\nTo: x@example\nSubject: hello\n\nbuy cheap viagra now http://bit.ly/x\n',
    );
    clean = join(base, 'clean.eml');
    writeFileSync(
      clean,
      'From: pest@nuisance.example\nTo: x@example\nSubject: minutes of the meeting\nMessage-ID: <m1@nuisance.example>\nDate: Thu, 3 Dec 2026 10:00:00 +0000\n\nHello, please find the minutes below.\n',
    );
    t = await testApp(
      database,
      { ANTISPAM_RSPAMD_DIR: base },
      {
        jobs: true,
        runtimes: { antispam: (b) => ({ ...b, reloadRspamd: () => rspamd.reload() }) },
      },
    );
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await rspamd?.stop();
    await database?.close();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  const addEntry = (token: string, inst: string, list: 'ALLOW' | 'DENY', entry: string) =>
    gql(
      token,
      `mutation($i: ID!, $l: AntispamList!, $e: String!) { r: addAntispamListEntry(input: { institutionId: $i, list: $l, entry: $e }) {
        __typename ... on AddAntispamListEntryPayload { entry { id list entry } } ${ERR} } }`,
      { i: inst, l: list, e: entry },
    );

  it('A’s deny list rejects a sender for A’s domain only', async () => {
    // A clean message, on the platform's thresholds: accepted for both before the entry.
    expect(await verdict(`x@${DOMAIN_A}`, 'pest@nuisance.example', clean)).not.toBe('reject');
    const deny = await addEntry(tok.techA as string, instA, 'DENY', '@nuisance.example');
    expect(deny.entry).toMatchObject({ list: 'DENY', entry: '@nuisance.example' });
    await until(
      'the deny entry at the gateway',
      async () =>
        (await verdict(`x@${DOMAIN_A}`, 'pest@nuisance.example', clean)) === 'reject' ? true : undefined,
      60_000,
    );
    expect(await verdict(`x@${DOMAIN_B}`, 'pest@nuisance.example', clean)).not.toBe('reject');
  }, 120_000);

  it('the institution lowers its reject threshold: rspamd rejects the same message for its domain only', async () => {
    const before = { a: await verdict(`x@${DOMAIN_A}`), b: await verdict(`x@${DOMAIN_B}`) };
    expect(before.a).not.toBe('reject');
    expect(before.b).toBe(before.a);

    const set = await gql(
      tok.techA as string,
      `mutation($i: ID!) { r: setAntispamSettings(input: { institutionId: $i, reject: 3, addHeader: 1 }) {
        __typename ... on SetAntispamSettingsPayload { layer { scope reject addHeader tagSubject } effective { reject addHeader rewriteSubject tagSubject } } ${ERR} } }`,
      { i: instA },
    );
    expect(set.__typename).toBe('SetAntispamSettingsPayload');
    expect(set.layer).toEqual({ scope: `institution:${instA}`, reject: 3, addHeader: 1, tagSubject: null });
    expect(set.effective).toEqual({ reject: 3, addHeader: 1, rewriteSubject: 8, tagSubject: false });

    await until(
      'the rspamd release',
      async () => ((await rspamdPublications()).some((p) => p.status === 'deployed') ? true : undefined),
      60_000,
    );
    // rspamd replaces its workers after SIGHUP: ask until the new ones answer.
    await until(
      'the new verdict',
      async () => ((await verdict(`x@${DOMAIN_A}`)) === 'reject' ? true : undefined),
      30_000,
    );
    expect(await verdict(`x@${DOMAIN_B}`)).toBe(before.b);

    const read = await gql(
      tok.techA as string,
      'query($i: ID!) { r: institution(id: $i) { antispam { settings { effective { reject } layer { reject } } } } }',
      { i: instA },
    );
    expect(read.antispam.settings).toEqual({ effective: { reject: 3 }, layer: { reject: 3 } });
    const [change] = await database.query<{ actor: string; before: unknown; after: { reject: number } }>(
      `SELECT actor, before, after FROM audit_changes WHERE action = 'antispam.setSettings' AND institution_id = $1`,
      [instA],
    );
    expect(change?.before).toBeNull();
    expect(change?.after.reject).toBe(3);
  }, 180_000);

  it('A’s allow list accepts a sender A rejected; B still rejects it', async () => {
    // A lowered its threshold (above); B lowers its own: the spam message is rejected for both,
    // until A allows its sender.
    await gql(
      tok.techB as string,
      `mutation($i: ID!) { r: setAntispamSettings(input: { institutionId: $i, reject: 3, addHeader: 1 }) { __typename ${ERR} } }`,
      { i: instB },
    );
    await until(
      'B’s threshold at the gateway',
      async () => ((await verdict(`x@${DOMAIN_B}`)) === 'reject' ? true : undefined),
      60_000,
    );
    expect(await verdict(`x@${DOMAIN_A}`)).toBe('reject');
    const allow = await addEntry(tok.techA as string, instA, 'ALLOW', 'someone@elsewhere.example');
    expect(allow.__typename).toBe('AddAntispamListEntryPayload');
    await until(
      'the allow entry at the gateway',
      async () => ((await verdict(`x@${DOMAIN_A}`)) === 'no action' ? true : undefined),
      60_000,
    );
    expect(await verdict(`x@${DOMAIN_B}`)).toBe('reject');
    // B's contact cannot put a sender on A's lists.
    const foreign = await t.gql(
      `mutation($i: ID!) { r: addAntispamListEntry(input: { institutionId: $i, list: ALLOW, entry: "x@y.example" }) { __typename ${ERR} } }`,
      { i: instA },
      tok.techB,
    );
    expect(foreign.body.data?.r?.__typename ?? foreign.body.errors?.[0]?.extensions?.code).toMatch(
      /NotFoundError|FORBIDDEN/,
    );
  }, 240_000);

  it('incoherent thresholds are a typed error: nothing stored, nothing published', async () => {
    const published = (await rspamdPublications()).length;
    const r = await gql(
      tok.techA as string,
      `mutation($i: ID!) { r: setAntispamSettings(input: { institutionId: $i, reject: 2, addHeader: 5 }) { __typename ${ERR} } }`,
      { i: instA },
    );
    expect(r).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION' });
    const far = await gql(
      tok.techA as string,
      `mutation($i: ID!) { r: setAntispamSettings(input: { institutionId: $i, reject: 5000 }) { __typename ${ERR} } }`,
      { i: instA },
    );
    expect(far.__typename).toBe('ValidationError');
    await new Promise((res) => setTimeout(res, 1500));
    expect((await rspamdPublications()).length).toBe(published);
    const [row] = await database.query<{ reject: number }>(
      `SELECT reject FROM antispam_settings WHERE scope = $1`,
      [`institution:${instA}`],
    );
    expect(row?.reject).toBe(3);
  });

  it('a contact of another institution cannot tune it; the platform layer is the NOC’s', async () => {
    const other = await t.gql(
      `mutation($i: ID!) { r: setAntispamSettings(input: { institutionId: $i, reject: 50 }) { __typename ${ERR} } }`,
      { i: instA },
      tok.techB,
    );
    expect(other.body.data?.r?.__typename ?? other.body.errors?.[0]?.extensions?.code).toMatch(
      /NotFoundError|FORBIDDEN/,
    );
    const global = await t.gql(
      `mutation { r: setAntispamSettings(input: { reject: 20 }) { __typename ${ERR} } }`,
      {},
      tok.techA,
    );
    expect(global.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const noc = await gql(
      tok.noc as string,
      `mutation { r: setAntispamSettings(input: { reject: 20 }) { __typename ... on SetAntispamSettingsPayload { effective { reject } } ${ERR} } }`,
    );
    expect(noc.effective.reject).toBe(20);
  });
});
