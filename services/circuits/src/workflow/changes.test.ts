import type { PolicyRefusalError } from '@guichet/core';
import { and, type Database, eq, isNull } from '@guichet/db';
import type { JobRunner } from '@guichet/jobs';
import { freshDatabase, until } from '@guichet/testkit';
import { actOnStep, type ComposedEnv, fileRequest, getRequest } from '@guichet/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestDeviceConfig } from '../service/configs.js';
import { attachments, circuits, endpoints, ports, routeTargets, vlans, vpns, vrfs } from '../tables.js';
import {
  access,
  circuitsWorld,
  device,
  type Inst,
  institution,
  noc,
  rdAdministrator,
  refusal,
} from '../test/world.js';
import { CIRCUIT_ORDER } from './index.js';

/**
 * Later requests on an active L3VPN of three sites (two PEs): a bandwidth change within and
 * beyond the ports' capacity, a member leaving (its VLAN, bandwidth and the RD of a PE no longer
 * used freed in one transaction, its session gone from the PE configuration), a member joining,
 * and termination (every VLAN, RD/RT and bandwidth freed).
 */
describe(`circuit changes on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let runner: JobRunner;
  let env: ComposedEnv;
  let a: Inst;
  let pe1: Awaited<ReturnType<typeof device>>;
  let pe2: Awaited<ReturnType<typeof device>>;
  const p: Record<string, { id: string }> = {};
  let circuitId: string;

  beforeAll(async () => {
    database = await freshDatabase();
    ({ env, runner } = await circuitsWorld(database));
    a = await institution(database.db, 4);
    await rdAdministrator(database.db);
    pe1 = await device(database.db);
    pe2 = await device(database.db);
    p.s1 = await pe1.port({ capacityMbps: 1000 });
    p.s2 = await pe1.port({ capacityMbps: 1000 });
    p.s3 = await pe2.port({ capacityMbps: 300 });
    p.s4 = await pe2.port();
    for (const [i, k] of ['s1', 's2', 's3', 's4'].entries()) await access(database.db, a.sites[i]!, p[k]!.id);
  });
  afterAll(async () => {
    await runner?.stop();
    await database?.close();
  });

  const settle = (id: string) =>
    until(`request ${id} settles`, async () => {
      const r = await getRequest(database.db, noc(), id);
      return r.status !== 'in_progress' || r.currentStep === 'noc' || r.currentStep === 'design'
        ? r
        : undefined;
    });
  const bgp = (n: number) => ({
    localAddress: `10.255.${n}.0`,
    peerAddress: `10.255.${n}.1`,
    peerAsn: 65000 + n,
  });
  const held = async () => ({
    vlans: (await database.db.select().from(vlans).where(eq(vlans.circuitId, circuitId)))
      .map((v) => v.vid)
      .sort(),
    reserved: Object.fromEntries(
      await Promise.all(
        Object.entries(p).map(async ([k, v]) => [
          k,
          (await database.db.select().from(ports).where(eq(ports.id, v.id)))[0]!.reservedMbps,
        ]),
      ),
    ),
  });
  const file = (kind: string, payload: unknown) =>
    fileRequest(database.db, a.tech, env, { kind, institutionId: a.id, payload });

  it('orders and designs a three-site L3VPN on two PEs', async () => {
    const req = await file(CIRCUIT_ORDER, {
      name: 'Research VPN',
      topology: 'multipoint',
      service: 'ip',
      bandwidthMbps: 200,
      endpoints: [0, 1, 2].map((i) => ({ siteId: a.sites[i], prefixLimit: 10 })),
    });
    circuitId = (await database.db.select().from(circuits).where(eq(circuits.requestId, req.id)))[0]!.id;
    const eps = await database.db.select().from(endpoints).where(eq(endpoints.circuitId, circuitId));
    const portOf = (siteId: string) => p[`s${a.sites.indexOf(siteId) + 1}`]!.id;
    await actOnStep(database.db, noc(), env, {
      requestId: req.id,
      step: 'design',
      decision: 'approve',
      data: {
        technology: 'l3vpn',
        attachments: eps.map((e, i) => ({ endpointId: e.id, portId: portOf(e.siteId), bgp: bgp(i) })),
      },
    });
    expect((await settle(req.id)).status).toBe('completed');
    expect(await held()).toMatchObject({
      vlans: [100, 100, 100],
      reserved: { s1: 200, s2: 200, s3: 200, s4: 0 },
    });
    expect(await database.db.select().from(vrfs)).toHaveLength(2);
    expect((await latestDeviceConfig(database.db, pe2.device.id))?.text).toMatch(
      /import limit 10 action restart/,
    );
  });

  it('changes the bandwidth within capacity, and refuses beyond it without touching anything', async () => {
    const bad = await refusal(file('circuits.bandwidthChange', { circuitId, bandwidthMbps: 400 }));
    expect((bad as PolicyRefusalError).rule).toBe('circuits.bandwidth-capacity');
    expect((await held()).reserved).toMatchObject({ s1: 200, s3: 200 });
    const ok = await file('circuits.bandwidthChange', { circuitId, bandwidthMbps: 300 });
    expect(ok.status).toBe('completed');
    expect((await held()).reserved).toMatchObject({ s1: 300, s2: 300, s3: 300 });
  });

  it('a member leaving frees its VLAN, bandwidth and the RD of a PE no longer used', async () => {
    const [third] = await database.db
      .select()
      .from(endpoints)
      .where(and(eq(endpoints.circuitId, circuitId), eq(endpoints.siteId, a.sites[2]!)));
    const req = await file('circuits.memberChange', { circuitId, remove: [third!.id] });
    expect((await settle(req.id)).status).toBe('completed');
    expect(await held()).toMatchObject({ vlans: [100, 100], reserved: { s1: 300, s2: 300, s3: 0 } });
    expect((await database.db.select().from(vrfs)).map((v) => v.deviceId)).toEqual([pe1.device.id]);
    expect((await latestDeviceConfig(database.db, pe2.device.id))?.text).not.toMatch(/protocol bgp/);
    const refused = await refusal(
      file('circuits.memberChange', {
        circuitId,
        remove: (
          await database.db
            .select()
            .from(endpoints)
            .where(and(eq(endpoints.circuitId, circuitId), isNull(endpoints.removedAt)))
        ).map((e) => e.id),
      }),
    );
    expect((refused as PolicyRefusalError).rule).toBe('circuits.member-change');
  });

  it('a member joining goes through the NOC’s design', async () => {
    const req = await file('circuits.memberChange', {
      circuitId,
      add: [{ siteId: a.sites[3], prefixLimit: 5 }],
    });
    expect((await settle(req.id)).currentStep).toBe('design');
    const [added] = await database.db.select().from(endpoints).where(eq(endpoints.requestId, req.id));
    await actOnStep(database.db, noc(), env, {
      requestId: req.id,
      step: 'design',
      decision: 'approve',
      data: { technology: 'l3vpn', attachments: [{ endpointId: added!.id, portId: p.s4!.id, bgp: bgp(9) }] },
    });
    expect((await settle(req.id)).status).toBe('completed');
    expect((await held()).reserved).toMatchObject({ s4: 300 });
    expect((await latestDeviceConfig(database.db, pe2.device.id))?.text).toMatch(
      /import limit 5 action restart/,
    );
  });

  it('termination frees every VLAN, RD/RT and all the bandwidth in one transaction', async () => {
    const req = await file('circuits.termination', { circuitId, reason: 'project over' });
    expect(req.currentStep).toBe('noc');
    await actOnStep(database.db, noc(), env, { requestId: req.id, step: 'noc', decision: 'approve' });
    expect((await settle(req.id)).status).toBe('completed');
    expect(await held()).toEqual({ vlans: [], reserved: { s1: 0, s2: 0, s3: 0, s4: 0 } });
    expect(await database.db.select().from(vpns)).toEqual([]);
    expect(await database.db.select().from(routeTargets)).toEqual([]);
    expect(await database.db.select().from(vrfs)).toEqual([]);
    expect(
      await database.db
        .select()
        .from(attachments)
        .where(and(eq(attachments.circuitId, circuitId), isNull(attachments.releasedAt))),
    ).toEqual([]);
    const [c] = await database.db.select().from(circuits).where(eq(circuits.id, circuitId));
    expect(c?.state).toBe('terminated');
    expect((await latestDeviceConfig(database.db, pe1.device.id))?.text).not.toMatch(/protocol bgp/);
  });

  it('two designs racing for the last capacity of a port: one wins, the other is refused', async () => {
    const cap = await pe1.port({ capacityMbps: 300 });
    const other = await pe1.port();
    await access(database.db, a.sites[0]!, cap.id);
    await access(database.db, a.sites[1]!, other.id);
    const orders = await Promise.all(
      [0, 1].map(() =>
        file(CIRCUIT_ORDER, {
          name: 'race',
          topology: 'p2p',
          service: 'ethernet',
          bandwidthMbps: 200,
          endpoints: [{ siteId: a.sites[0] }, { siteId: a.sites[1] }],
        }),
      ),
    );
    const results = await Promise.allSettled(
      orders.map(async (o) => {
        const [c] = await database.db.select().from(circuits).where(eq(circuits.requestId, o.id));
        const eps = await database.db.select().from(endpoints).where(eq(endpoints.circuitId, c!.id));
        return actOnStep(database.db, noc(), env, {
          requestId: o.id,
          step: 'design',
          decision: 'approve',
          data: {
            technology: 'l2vpn_vlan',
            attachments: eps.map((e) => ({
              endpointId: e.id,
              portId: e.siteId === a.sites[0] ? cap.id : other.id,
            })),
          },
        });
      }),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [lost] = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect((lost as PolicyRefusalError).rule).toBe('circuits.bandwidth-capacity');
    expect((await database.db.select().from(ports).where(eq(ports.id, cap.id)))[0]?.reservedMbps).toBe(200);
  });
});
