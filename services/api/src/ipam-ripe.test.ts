import { systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { DEMO_INSTITUTIONS, listSites, seedDemoMembership } from '@guichet/membership';
import { freshDatabase, type RipeStandin, startRipeStandin } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactToken, institutionId, staffWithToken, testApp } from './test-app.js';

/**
 * Issue 4's "done when", over GraphQL with the jobs running and a RIPE database stand-in that
 * speaks the REST API's JSON: a technical contact asks for a /48 and an IPv4 /26, the /48 is
 * approved by policy and the /26 by the NOC, both end active, their RPSL text is right, and the
 * stand-in holds exactly those objects.
 */
const KEY = { keyId: 'GUICHETTESTKEY0000000001', secret: 'standin-secret' };
const ERR = '... on Error { __typename code message }';

describe(`prefix requests registered in the RIPE database (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Database;
  let ripe: RipeStandin;
  let t: Awaited<ReturnType<typeof testApp>>;
  let noc: string;
  let tech: string;
  let institution: string;
  let siteId: string;

  beforeAll(async () => {
    ripe = await startRipeStandin({ source: 'TEST', apiKeys: [{ ...KEY, maintainers: ['RENATER-EX-MNT'] }] });
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    t = await testApp(
      database,
      {
        RIPE_API_URL: ripe.url,
        RIPE_API_KEY: `${KEY.keyId}:${KEY.secret}`,
        RIPE_SOURCE: 'TEST',
        RIPE_RETRY_DELAY_SECONDS: '1',
      },
      { jobs: true },
    );
    noc = (await staffWithToken(database, 'noc-ripe', ['noc'])).token;
    institution = await institutionId(database, DEMO_INSTITUTIONS[0]!.shortName);
    siteId = (await listSites(database.db, institution))[0]!.id;
    tech = await contactToken(database, institution);
    const rpsl = { adminC: ['RX1-RIPE'], techC: ['RX1-RIPE'], mntBy: ['RENATER-EX-MNT'], country: 'FR' };
    for (const input of [
      {
        name: 'IPv6',
        prefix: '2001:db8::/32',
        ripeStatus: 'ALLOCATED-BY-RIR',
        purpose: 'institutions',
        ...rpsl,
      },
      { name: 'IPv4', prefix: '192.0.2.0/24', ripeStatus: 'ALLOCATED PA', purpose: 'institutions', ...rpsl },
    ]) {
      const r = await t.gql(
        `mutation($i: CreatePoolInput!) { r: createPool(input: $i) { __typename ${ERR} } }`,
        { i: input },
        noc,
      );
      expect(r.body.data.r.__typename).toBe('CreatePoolPayload');
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await database?.close();
    await ripe?.stop();
  });

  async function until(id: string, status: string) {
    for (let i = 0; i < 300; i++) {
      const { body } = await t.gql(
        'query($id: ID!) { request(id: $id) { status currentStep assignment { prefix lifecycle rpsl } steps { name state attempts lastError } } }',
        { id },
        tech,
      );
      if (body.data.request.status === status) return body.data.request;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`request ${id} never reached ${status}`);
  }

  it('a /48 (auto-approved) and a /26 (NOC-approved) end active and registered', async () => {
    const ask = (input: Record<string, unknown>) =>
      t.gql(
        `mutation($i: RequestPrefixInput!) { r: requestPrefix(input: $i) { __typename ... on RequestPrefixPayload { request { id status currentStep } } ${ERR} } }`,
        { i: { institutionId: institution, siteId, purpose: 'campus network', ...input } },
        tech,
      );
    const v6 = (await ask({ family: 'IPV6', length: 48 })).body.data.r.request;
    const v4 = (await ask({ family: 'IPV4', length: 26, justification: '40 hosts in the new lab building' }))
      .body.data.r.request;
    expect(v4.currentStep).toBe('approval');
    const approved = await t.gql(
      `mutation($id: ID!) { r: approveRequestStep(input: { requestId: $id, step: "approval" }) { __typename ${ERR} } }`,
      { id: v4.id },
      noc,
    );
    expect(approved.body.data.r.__typename).toBe('ApproveRequestStepPayload');

    const done6 = await until(v6.id, 'COMPLETED');
    const done4 = await until(v4.id, 'COMPLETED');
    expect(done6.assignment).toMatchObject({
      lifecycle: 'ACTIVE',
      prefix: expect.stringMatching(/^2001:db8:.*\/48$/),
    });
    expect(done4.assignment).toMatchObject({
      lifecycle: 'ACTIVE',
      prefix: expect.stringMatching(/^192\.0\.2\.\d+\/26$/),
    });
    expect(done6.assignment.rpsl).toMatch(/^inet6num:\s+2001:db8:.*\/48$/m);
    expect(done6.assignment.rpsl).toMatch(/^status:\s+ASSIGNED$/m);
    expect(done4.assignment.rpsl).toMatch(/^inetnum:\s+192\.0\.2\.\d+ - 192\.0\.2\.\d+$/m);
    expect(done4.assignment.rpsl).toMatch(/^status:\s+ASSIGNED PA$/m);
    expect(done4.assignment.rpsl).toMatch(/^mnt-by:\s+RENATER-EX-MNT$/m);

    // The stand-in now holds exactly these two objects, and each write was dry-run first.
    const held = ripe.objects().map((o) => `${o.type}: ${o.attributes[0]!.value}`);
    const key6 = done6.assignment.prefix;
    const [first4] = /192\.0\.2\.\d+ - 192\.0\.2\.\d+/.exec(done4.assignment.rpsl)!;
    expect(held.sort()).toEqual([`inet6num: ${key6}`, `inetnum: ${first4}`].sort());
    const writes = ripe.requests.filter((r) => r.method === 'POST');
    expect(writes.filter((r) => r.dryRun).length).toBeGreaterThanOrEqual(2);
    expect(writes.findIndex((r) => r.dryRun)).toBeLessThan(writes.findIndex((r) => !r.dryRun));
    expect(t.crashes()).toEqual([]);
  }, 120_000);
});
