import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
 * Issue 13, "a false positive report ends with the sender on that institution's allow list and
 * the learned message counted by rspamd", over the API with a real rspamd (its Bayes on a
 * private Redis): the technical contact uploads the .eml; a ticket opens in the antispam queue
 * and shows rspamd's score and symbols; the NOC confirms with `allowSender`; rspamd learns it as
 * ham (`rspamc stat` counts one more learned message), the sender is on the allow list (and in
 * the published Rspamd release). An oversized or headerless upload is a typed error, nothing
 * stored.
 */

const ERR = '... on Error { __typename code message }';
type App = Awaited<ReturnType<typeof testApp>>;
const DOMAIN = 'report-a.example';
const SENDER = 'alice@partner.example';

const words =
  'network routing peering budget research meeting minutes operations campus fibre optical switch router firewall colleague project'.split(
    ' ',
  );
// Bayes learns only messages with enough tokens (min_tokens = 11 in the stock configuration).
const EML = [
  `From: Alice <${SENDER}>`,
  `To: bob@${DOMAIN}`,
  'Subject: minutes of the network meeting',
  'Date: Thu, 3 Dec 2026 10:00:00 +0000',
  'Message-ID: <report-1@partner.example>',
  '',
  Array.from({ length: 80 }, (_, i) => `${words[i % words.length]}${i % 7}`).join(' '),
  '',
].join('\r\n');

describe(`antispam misclassification reports (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Database;
  let t: App;
  let rspamd: Rspamd;
  let base: string;
  let inst: string;
  const tok: Record<string, string> = {};

  const gql = async (token: string, query: string, variables?: Record<string, unknown>) => {
    const res = await t.gql(query, variables, token);
    expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
    return res.body.data.r;
  };
  const learned = async () => {
    const r = await runTool('rspamc', ['-h', rspamd.controller, 'stat'], { timeoutMs: 20_000 });
    return Number(/Messages learned: (\d+)/.exec(r.stdout)?.[1] ?? Number.NaN);
  };
  const report = async () =>
    (
      await gql(
        tok.tech as string,
        'query($i: ID!) { r: institution(id: $i) { antispam { reports { id state score action sender kind symbols { name score } } lists { list entry reportId } } } }',
        { i: inst },
      )
    ).antispam;

  beforeAll(async () => {
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    inst = await institutionId(database, String(DEMO_INSTITUTIONS[0]?.shortName));
    const [s] = await database.query<{ id: string }>(
      `INSERT INTO antispam_bind_secrets (id, institution_id, sealed) VALUES (gen_random_uuid(), $1, 'unused') RETURNING id`,
      [inst],
    );
    const [o] = await database.query<{ id: string }>(
      `INSERT INTO antispam_onboardings (institution_id, request_id, directory, bind_secret_id, next_hops, known_address, unknown_address, state)
       VALUES ($1, gen_random_uuid(), '{}'::jsonb, $2, '[]'::jsonb, $3, $4, 'published') RETURNING id`,
      [inst, s?.id, `known@${DOMAIN}`, `unknown@${DOMAIN}`],
    );
    await database.query(
      `INSERT INTO antispam_domains (institution_id, onboarding_id, domain, state) VALUES ($1, $2, $3, 'configured')`,
      [inst, o?.id, DOMAIN],
    );
    tok.tech = await contactToken(database, inst);
    tok.noc = (await staffWithToken(database, 'noc-report', ['noc'])).token;
    base = mkdtempSync(join(tmpdir(), 'guichet-rspamd-report-'));
    rspamd = await startRspamd(
      {
        'local.d/settings.conf': `.include(try=true) "${base}/current/settings.conf"\n`,
        'local.d/multimap.conf': `.include(try=true) "${base}/current/multimap.conf"\n`,
      },
      copyRspamdConfig,
      { redis: true },
    );
    t = await testApp(
      database,
      {
        ANTISPAM_RSPAMD_DIR: base,
        ANTISPAM_RSPAMD_SCANNER: rspamd.address,
        ANTISPAM_RSPAMD_CONTROLLER: rspamd.controller,
        ANTISPAM_REPORT_MAX_BYTES: '4096',
      },
      { jobs: true, runtimes: { antispam: (b) => ({ ...b, reloadRspamd: () => rspamd.reload() }) } },
    );
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await rspamd?.stop();
    await database?.close();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('a false positive: ticket with score and symbols, NOC confirms, learned as ham, sender allow-listed', async () => {
    const before = await learned();
    const filed = await gql(
      tok.tech as string,
      `mutation($i: ID!, $e: String!) { r: reportMisclassification(input: { institutionId: $i, kind: FALSE_POSITIVE, eml: $e }) {
        __typename ... on ReportMisclassificationPayload { request { id kind status } } ${ERR} } }`,
      { i: inst, e: EML },
    );
    expect(filed.__typename, JSON.stringify(filed)).toBe('ReportMisclassificationPayload');
    const requestId = filed.request.id as string;

    const ticket = await until(
      'the scanned ticket',
      async () => {
        const r = await gql(
          tok.noc as string,
          `{ r: tickets(queue: "antispam", first: 10) { edges { node { requestId queue antispamReport { score action sender symbols { name score } } } } } }`,
        );
        const n = r.edges
          .map((e: { node: unknown }) => e.node)
          .find((x: { requestId: string }) => x.requestId === requestId);
        return n?.antispamReport?.score != null ? n : undefined;
      },
      60_000,
    );
    expect(ticket.queue).toBe('antispam');
    expect(ticket.antispamReport.sender).toBe(SENDER);
    expect(typeof ticket.antispamReport.score).toBe('number');
    expect(ticket.antispamReport.symbols.length).toBeGreaterThan(0);
    expect(ticket.antispamReport.symbols.map((s: { name: string }) => s.name)).toContain('MIME_GOOD');

    await until(
      'the NOC step',
      async () => {
        const r = await gql(tok.noc as string, 'query($id: ID!) { r: request(id: $id) { currentStep } }', {
          id: requestId,
        });
        return r.currentStep === 'noc-confirmation' ? true : undefined;
      },
      30_000,
    );
    const ok = await gql(
      tok.noc as string,
      `mutation($id: ID!) { r: approveRequestStep(input: { requestId: $id, step: "noc-confirmation", data: "{\\"allowSender\\": true}" }) { __typename ${ERR} } }`,
      { id: requestId },
    );
    expect(ok.__typename).not.toMatch(/Error/);

    const done = await until(
      'the learned report',
      async () => {
        const a = await report();
        return a.reports[0]?.state === 'learned' ? a : undefined;
      },
      60_000,
    );
    expect(done.lists).toEqual([{ list: 'ALLOW', entry: SENDER, reportId: done.reports[0].id }]);
    expect(await learned()).toBe(before + 1);
    // The allow-list entry is in the published release the gateway's rspamd reads.
    await until(
      'the allow list published',
      async () => {
        try {
          return readFileSync(join(base, 'current', 'guichet_allow_addr.map'), 'utf8').includes(
            `${DOMAIN}:${SENDER}`,
          )
            ? true
            : undefined;
        } catch {
          return undefined;
        }
      },
      60_000,
    );
  }, 240_000);

  it('an oversized or headerless upload is a typed error and stores nothing', async () => {
    const count = async () =>
      Number((await database.query<{ n: string }>('SELECT count(*) AS n FROM antispam_reports'))[0]?.n);
    const n = await count();
    for (const eml of [`${EML}${'x'.repeat(5000)}`, 'just some text without headers']) {
      const r = await gql(
        tok.tech as string,
        `mutation($i: ID!, $e: String!) { r: reportMisclassification(input: { institutionId: $i, kind: FALSE_NEGATIVE, eml: $e }) { __typename ${ERR} } }`,
        { i: inst, e: eml },
      );
      expect(r.__typename).toBe('ValidationError');
    }
    expect(await count()).toBe(n);
  });
});
