import { PolicyRefusalError, type RequestContext } from '@guichet/core';
import { type Database, eq } from '@guichet/db';
import type { JobRunner } from '@guichet/jobs';
import { freshDatabase, until } from '@guichet/testkit';
import {
  actOnStep,
  type ComposedEnv,
  cancelRequest,
  fileRequest,
  getRequest,
  resourceRequests,
  resources,
} from '@guichet/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentToEndpoint } from '../service/consent.js';
import { updateSegment } from '../service/segments.js';
import { vlanMap } from '../service/vlan-alloc.js';
import { attachments, circuits, endpoints, ports, segments, vlans } from '../tables.js';
import {
  access,
  circuitsWorld,
  device,
  type Inst,
  institution,
  noc,
  rdAdministrator,
  refusal,
  regional,
} from '../test/world.js';
import { CIRCUIT_ORDER } from './order.js';

describe(`circuits.order on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let runner: JobRunner;
  let env: ComposedEnv;
  let a: Inst;
  let b: Inst;
  let direct: { id: string };
  let handoffPort: { id: string };
  beforeAll(async () => {
    database = await freshDatabase();
    ({ env, runner } = await circuitsWorld(database));
    a = await institution(database.db, 2);
    b = await institution(database.db, 1);
    await rdAdministrator(database.db);
    const d = await device(database.db);
    direct = await d.port();
    const r = await regional(database.db, d, 9000);
    handoffPort = r.port;
    await access(database.db, a.sites[0]!, direct.id);
    await access(database.db, a.sites[1]!, handoffPort.id);
    await access(database.db, b.sites[0]!, direct.id);
  });
  afterAll(async () => {
    await runner?.stop();
    await database?.close();
  });

  const order = (over: Record<string, unknown> = {}, tech: RequestContext = a.tech, inst = a) =>
    fileRequest(database.db, tech, env, {
      kind: CIRCUIT_ORDER,
      institutionId: inst.id,
      payload: {
        name: 'Campus link',
        topology: 'p2p',
        service: 'ethernet',
        bandwidthMbps: 100,
        endpoints: [{ siteId: a.sites[0] }, { siteId: a.sites[1], vlans: [10, 20, 30] }],
        ...over,
      },
    });

  const designData = (req: string, segmentMtu: number) =>
    database.db
      .select({ id: endpoints.id, siteId: endpoints.siteId })
      .from(endpoints)
      .innerJoin(circuits, eq(circuits.id, endpoints.circuitId))
      .where(eq(circuits.requestId, req))
      .then((eps) => ({
        technology: 'l2vpn_vlan',
        attachments: eps.map((e) => ({
          endpointId: e.id,
          portId: e.siteId === a.sites[0] ? direct.id : handoffPort.id,
          cvlans: [10, 20, 30],
          ...(e.siteId === a.sites[1] ? { segment: { l2Mtu: segmentMtu } } : {}),
        })),
      }));

  it('p2p behind a regional network: QinQ design, 1504 refused and 1508 kept, incomplete until the segment is active', async () => {
    const req = await order();
    expect(req).toMatchObject({ status: 'in_progress', currentStep: 'design' });
    const [c] = await database.db.select().from(circuits).where(eq(circuits.requestId, req.id));
    expect(c).toMatchObject({ state: 'requested', technology: null });

    const small = await refusal(
      actOnStep(database.db, noc(), env, {
        requestId: req.id,
        step: 'design',
        decision: 'approve',
        data: await designData(req.id, 1504),
      }),
    );
    expect(small).toBeInstanceOf(PolicyRefusalError);
    expect((small as PolicyRefusalError).rule).toBe('circuits.mtu-too-small');
    expect((small as Error).message).toMatch(/1504.*need 1508/);
    // Nothing of the refused design was kept.
    expect(await database.db.select().from(attachments).where(eq(attachments.circuitId, c!.id))).toEqual([]);
    expect(await database.db.select().from(vlans).where(eq(vlans.circuitId, c!.id))).toEqual([]);

    const designed = await actOnStep(database.db, noc(), env, {
      requestId: req.id,
      step: 'design',
      decision: 'approve',
      data: await designData(req.id, 1508),
    });
    expect(designed.currentStep).toBe('regional');
    const held = await database.db.select().from(vlans).where(eq(vlans.circuitId, c!.id));
    expect(held.map((v) => v.vid).sort((x, y) => x - y)).toEqual([100, 2000]);
    const [seg] = await database.db.select().from(segments).where(eq(segments.circuitId, c!.id));
    expect(seg).toMatchObject({ state: 'requested', localVid: 2000, remoteVid: 2000, l2Mtu: 1508 });
    const [p] = await database.db.select().from(ports).where(eq(ports.id, handoffPort.id));
    expect(p?.reservedMbps).toBe(100);

    await updateSegment(database.db, noc(), env, {
      segmentId: seg!.id,
      state: 'ordered',
      providerCircuitId: 'SYR-1',
      operatorReference: 'TT#1',
    });
    expect((await getRequest(database.db, noc(), req.id)).currentStep).toBe('regional');
    await updateSegment(database.db, noc(), env, { segmentId: seg!.id, state: 'active' });
    const done = await until('order completed', async () => {
      const r = await getRequest(database.db, noc(), req.id);
      return r.status === 'completed' ? r : undefined;
    });
    expect(done.status).toBe('completed');
    const [after] = await database.db.select().from(circuits).where(eq(circuits.id, c!.id));
    expect(after).toMatchObject({ state: 'active', technology: 'l2vpn_vlan' });
    // Recorded as a resource, active, linked to the order that made it.
    const [res] = await database.db.select().from(resources).where(eq(resources.objectId, c!.id));
    expect(res).toMatchObject({ line: 'circuits', type: 'Circuit', state: 'active' });
    const links = await database.db
      .select()
      .from(resourceRequests)
      .where(eq(resourceRequests.resourceId, res!.id));
    expect(links.map((l) => [l.requestId, l.role])).toEqual([[req.id, 'created']]);
    const map = await vlanMap(database.db, handoffPort.id);
    expect(map?.used).toEqual([
      expect.objectContaining({ vid: 2000, circuitId: c!.id, cvlans: [10, 20, 30] }),
    ]);
  });

  it('refuses a multipoint L2 need pointing to L3VPN, and writes nothing', async () => {
    const before = (await database.db.select().from(circuits)).length;
    const e = await refusal(order({ topology: 'multipoint' }));
    expect(e).toBeInstanceOf(PolicyRefusalError);
    expect((e as PolicyRefusalError).rule).toBe('circuits.no-vpls');
    expect((e as Error).message).toMatch(/L3VPN/);
    expect((await database.db.select().from(circuits)).length).toBe(before);
  });

  it('another institution’s site waits for its consent; a refusal returns the order and frees the circuit', async () => {
    const req = await order({ endpoints: [{ siteId: a.sites[0] }, { siteId: b.sites[0] }] });
    expect(req.currentStep).toBe('consent');
    const [ep] = await database.db.select().from(endpoints).where(eq(endpoints.siteId, b.sites[0]!));
    // A's contact cannot answer for B's site.
    expect(
      await refusal(consentToEndpoint(database.db, a.tech, env, { endpointId: ep!.id, agree: true })),
    ).toBeTruthy();
    await consentToEndpoint(database.db, b.tech, env, { endpointId: ep!.id, agree: true });
    expect((await getRequest(database.db, noc(), req.id)).currentStep).toBe('design');

    const req2 = await order({ name: 'Second', endpoints: [{ siteId: a.sites[0] }, { siteId: b.sites[0] }] });
    const [c2before] = await database.db.select().from(circuits).where(eq(circuits.requestId, req2.id));
    const [ep2] = (
      await database.db.select().from(endpoints).where(eq(endpoints.circuitId, c2before!.id))
    ).filter((x) => x.siteId === b.sites[0]);
    await consentToEndpoint(database.db, b.tech, env, {
      endpointId: ep2!.id,
      agree: false,
      reason: 'not our project',
    });
    const returned = await getRequest(database.db, noc(), req2.id);
    expect(returned.status).toBe('returned');
    expect(returned.reason).toMatch(/not our project/);
    const [c2] = await database.db.select().from(circuits).where(eq(circuits.requestId, req2.id));
    expect(c2?.state).toBe('terminated');
    await cancelRequest(database.db, a.tech, env, { requestId: req.id, reason: 'test done' });
  });
});
