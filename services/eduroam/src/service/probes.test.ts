import { systemContext } from '@guichet/core';
import { eq } from '@guichet/db';
import { type Radius, startRadius, until } from '@guichet/testkit';
import { getRequest, notifications, requests, tickets } from '@guichet/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextProbeState } from '../model.js';
import { secrets, servers } from '../tables.js';
import { startWorld, type World } from '../test/world.js';
import { probeHistory, probeRound, SERVER_DOWN } from './probes.js';
import { declareServer, rotateSecret } from './servers.js';

const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';

/** An institution's FreeRADIUS that accepts the prober (127.0.0.1) with `secret`. */
const institutionServer = (secret: string, authPort?: number) =>
  startRadius({
    address: '127.0.0.2',
    ...(authPort ? { authPort } : {}),
    clients: `client national_proxy {\n\tipaddr = 127.0.0.1\n\tsecret = ${secret}\n\trequire_message_authenticator = yes\n}\n`,
  });

describe(`Status-Server probes against FreeRADIUS on ${engine}`, () => {
  let w: World;
  let radius: Radius | undefined;
  let serverId: string;
  let secret: string;
  const ctx = () => systemContext('eduroam-test');
  // Rounds driven by the test (the cron rounds would race it): every server is due each time.
  const round = () => probeRound(w.env, ctx(), { due: false });
  const row = async () => (await w.database.db.select().from(servers).where(eq(servers.id, serverId)))[0];

  beforeAll(async () => {
    w = await startWorld({ EDUROAM_PROBE_INTERVAL_SECONDS: '3600' });
    await w.activate(w.a);
    const d = await declareServer(w.env, w.a.tech, {
      institutionId: w.a.id,
      name: 'radius1.univ-a.example',
      address: '127.0.0.2',
      port: 1812,
    });
    serverId = d.server.id;
    secret = d.secret;
  }, 120_000);
  afterAll(async () => {
    await radius?.stop();
    await w?.stop();
  });

  it('reports a server not configured yet as "down or wrong secret", without opening a ticket', async () => {
    const s = await round();
    expect(s).toMatchObject({ probed: 1, up: 0, failed: 1 });
    const [last] = await probeHistory(w.database.db, serverId, 1);
    expect(last).toMatchObject({
      ok: false,
      outcome: 'timeout',
      detail: expect.stringMatching(/^down or wrong secret/),
    });
    for (let i = 0; i < 3; i++) await round();
    expect(await row()).toMatchObject({ probeState: 'down', firstOkAt: null, downRequestId: null });
  });

  it('records the server up, with its round-trip time, once it runs with the secret', async () => {
    radius = await institutionServer(secret);
    await w.database.db.update(servers).set({ port: radius.authPort }).where(eq(servers.id, serverId));
    const s = await round();
    expect(s).toMatchObject({ probed: 1, up: 1 });
    const r = await row();
    expect(r).toMatchObject({ probeState: 'up', consecutiveFailures: 0, lastError: null });
    expect(r?.lastRttMs).toBeGreaterThan(0);
    expect(r?.lastRttMs).toBeLessThan(500);
    expect(r?.firstOkAt).not.toBeNull();
    const [last] = await probeHistory(w.database.db, serverId, 1);
    expect(last).toMatchObject({ ok: true, outcome: 'ok', secret: 'current' });
  });

  it('opens a ticket after three failures in a row, mails the eduroam contact, and closes it on recovery', async () => {
    const port = radius!.authPort;
    await radius!.stop();
    await round();
    await round();
    expect(await row()).toMatchObject({ probeState: 'up', consecutiveFailures: 2, downRequestId: null });
    const s = await round();
    expect(s.turnedDown).toBe(1);
    const down = await row();
    expect(down).toMatchObject({ probeState: 'down', consecutiveFailures: 3 });
    const req = await getRequest(w.database.db, w.a.tech, String(down?.downRequestId));
    expect(req).toMatchObject({
      kind: SERVER_DOWN,
      status: 'in_progress',
      currentStep: 'recover',
      requester: 'system:eduroam',
    });
    // A fourth failure is the same outage: no second request.
    await round();
    const opened = await w.database.db.select().from(requests).where(eq(requests.kind, SERVER_DOWN));
    expect(opened).toHaveLength(1);
    const [ticket] = await w.database.db.select().from(tickets).where(eq(tickets.requestId, req.id));
    expect(ticket).toMatchObject({ queue: 'eduroam', institutionId: w.a.id });
    const mails = await w.database.db.select().from(notifications).where(eq(notifications.requestId, req.id));
    expect(mails.map((m) => [m.template, m.recipient]).sort()).toEqual([
      ['action_needed', 'eva.roam@univ-a.example'],
      ['action_needed', 'thomas.tech@univ-a.example'],
    ]);
    radius = await institutionServer(secret, port);
    expect((await round()).recovered).toBe(1);
    await until('the outage request to complete', async () =>
      (await getRequest(w.database.db, w.a.tech, req.id)).status === 'completed' ? true : undefined,
    );
    expect(await row()).toMatchObject({ probeState: 'up', downRequestId: null });
    const [closed] = await w.database.db.select().from(tickets).where(eq(tickets.requestId, req.id));
    expect(closed?.state).toBe('resolved');
  }, 60_000);

  it('ends a rotation when the server answers the new secret (and only then)', async () => {
    const [before] = await probeHistory(w.database.db, serverId, 1);
    const r = await rotateSecret(w.env, w.a.tech, serverId);
    // The rotation queues a probe of its own (eduroam.probe-server): let it run against the
    // server as it is, or it could end the rotation under the rounds below.
    await until('the probe the rotation queued', async () => {
      const [last] = await probeHistory(w.database.db, serverId, 1);
      return last && last.id !== before?.id ? last : undefined;
    });
    expect((await round()).rotated).toBe(0); // still answers the current secret
    const port = radius!.authPort;
    await radius!.stop();
    radius = await institutionServer(r.secret, port);
    const s = await round();
    expect(s).toMatchObject({ up: 1, rotated: 1 });
    const [last] = await probeHistory(w.database.db, serverId, 1);
    expect(last).toMatchObject({ ok: true, secret: 'next' });
    const live = await w.database.db.select().from(secrets).where(eq(secrets.serverId, serverId));
    expect(live.map((x) => x.status).sort()).toEqual(['current', 'retired']);
    expect((await round()).up).toBe(1); // the new current secret
  }, 60_000);

  it('counts every failure of concurrent rounds, and opens one request for the outage', async () => {
    await radius!.stop();
    radius = undefined;
    const before = (await w.database.db.select().from(requests).where(eq(requests.kind, SERVER_DOWN))).length;
    const rounds = await Promise.all([round(), round(), round(), round()]);
    expect(rounds.map((r) => r.failed)).toEqual([1, 1, 1, 1]);
    expect(await row()).toMatchObject({ probeState: 'down', consecutiveFailures: 4 });
    expect(rounds.reduce((n, r) => n + r.turnedDown, 0)).toBe(1);
    const after = await w.database.db.select().from(requests).where(eq(requests.kind, SERVER_DOWN));
    expect(after.length).toBe(before + 1);
  }, 60_000);

  it('keeps the SQL state machine and model.ts in agreement', () => {
    // The same sequence as the SQL above went through: three failures then an answer.
    let s = { state: 'up' as 'up' | 'down' | 'unknown', consecutiveFailures: 0 };
    for (const ok of [false, false, false]) s = nextProbeState(s, ok);
    expect(s).toMatchObject({ state: 'down', consecutiveFailures: 3 });
    expect(nextProbeState(s, true)).toMatchObject({ state: 'up', recovered: true });
  });
});
