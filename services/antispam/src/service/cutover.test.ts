import { randomUUID } from 'node:crypto';
import { ConflictError, ForbiddenError } from '@guichet/core';
import { eq } from '@guichet/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindSecrets, domains, onboardings } from '../tables.js';
import { DOMAINS, GATEWAY_MX, staffCtx, startWorld, type World } from '../test/world.js';
import { pollMx, recordTestMessage } from './cutover.js';

/**
 * The MX cut-over against a real Knot serving the domain (its authoritative server, asked
 * without recursion through @guichet/dns): configured → test-passed (the NOC) → the poll sees a
 * backup MX still at the institution, flags it and waits → the institution fixes its zone → the
 * poll makes the domain active (resource and change log follow). A domain whose servers do not
 * answer gets an error recorded, not a crash.
 */

let w: World;
const [DOMAIN, OTHER] = DOMAINS as [string, string];
const noc = staffCtx(['noc']);

const zone = (domain: string, mx: string[]) => ({
  name: domain,
  text: [
    `$ORIGIN ${domain}.`,
    '$TTL 60',
    `@ SOA ns.${domain}. hostmaster.${domain}. ${Date.now() % 1e9} 60 60 600 60`,
    `@ NS ns.${domain}.`,
    'ns A 127.0.0.1',
    ...mx.map((m) => `@ MX ${m}`),
  ].join('\n'),
});

async function domainOnGateway(domain: string) {
  const db = w.database.db;
  const secret = randomUUID();
  await db.insert(bindSecrets).values({ id: secret, institutionId: w.institutionId, sealed: 'unused' });
  const [ob] = await db
    .insert(onboardings)
    .values({
      institutionId: w.institutionId,
      requestId: randomUUID(),
      directory: {
        url: 'ldaps://x',
        base: 'dc=x',
        filter: '(mail=%s)',
        bindDn: 'cn=x',
        resultAttribute: 'mail',
        startTls: false,
      },
      bindSecretId: secret,
      nextHops: [],
      knownAddress: `a@${domain}`,
      unknownAddress: `b@${domain}`,
      state: 'published',
    })
    .returning();
  const [d] = await db
    .insert(domains)
    .values({ institutionId: w.institutionId, onboardingId: ob?.id as string, domain, state: 'configured' })
    .returning();
  return d?.id as string;
}

const row = async (id: string) => (await w.database.db.select().from(domains).where(eq(domains.id, id)))[0];

beforeAll(async () => {
  w = await startWorld();
}, 120_000);
afterAll(async () => {
  await w?.stop();
});

describe('MX cut-over', () => {
  it('test message → backup MX flagged → every MX at the gateway → active', async () => {
    const id = await domainOnGateway(DOMAIN);
    await w.knot.replaceZone(zone(DOMAIN, [`10 ${GATEWAY_MX[0]}.`, `20 backup.${DOMAIN}.`]));

    await expect(recordTestMessage(w.env, w.tech, id)).rejects.toBeInstanceOf(ForbiddenError);
    // Before the test message the poll leaves the domain alone.
    expect((await pollMx(w.env, noc)).polled).toBe(0);
    expect((await recordTestMessage(w.env, noc, id)).state).toBe('test-passed');
    await expect(recordTestMessage(w.env, noc, id)).rejects.toBeInstanceOf(ConflictError);

    const first = await pollMx(w.env, noc);
    expect(first.activated).toEqual([]);
    const flagged = await row(id);
    expect(flagged?.state).toBe('test-passed');
    expect(flagged?.mx).toMatchObject({
      servers: [`ns.${DOMAIN}`],
      allAtPlatform: false,
      bypass: [`backup.${DOMAIN}`],
    });

    await w.knot.replaceZone(zone(DOMAIN, [`10 ${GATEWAY_MX[0]}.`, `20 ${GATEWAY_MX[1]}.`]));
    const second = await pollMx(w.env, noc);
    expect(second.activated).toEqual([DOMAIN]);
    const active = await row(id);
    expect(active?.state).toBe('active');
    expect(active?.mx).toMatchObject({ allAtPlatform: true, bypass: [] });
    const [res] = await w.database.query<{ state: string; line_state: string }>(
      `SELECT state, line_state FROM workflow_resources WHERE object_id = $1`,
      [id],
    );
    expect(res).toEqual({ state: 'active', line_state: 'active' });
    const changes = await w.database.query<{ action: string }>(
      `SELECT action FROM audit_changes WHERE object_id = $1 ORDER BY id`,
      [id],
    );
    expect(changes.map((c) => c.action)).toEqual(['antispam.recordTestMessage', 'antispam.cutOver']);
    // Polled again: still active, nothing new in the change log.
    await pollMx(w.env, noc);
    expect((await row(id))?.state).toBe('active');
  }, 60_000);

  it('a domain whose zone is not served gets an error finding, not a crash', async () => {
    const id = await domainOnGateway(`lost.${OTHER}`);
    await recordTestMessage(w.env, noc, id);
    await pollMx(w.env, noc);
    const d = await row(id);
    expect(d?.state).toBe('test-passed');
    expect(d?.mx?.error).toBeTruthy();
  }, 60_000);
});
