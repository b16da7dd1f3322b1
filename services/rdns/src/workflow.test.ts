import { and, desc, eq } from '@guichet/db';
import { checkZoneText } from '@guichet/dns';
import { allocatePrefix, createPool, returnAssignment } from '@guichet/ipam';
import { reverseZones } from '@guichet/net';
import { kdig } from '@guichet/testkit';
import {
  amendRequest,
  fileRequest,
  getRequest,
  type RequestRow,
  requestHistory,
  resubmitRequest,
} from '@guichet/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncParentZones } from './service/publication.js';
import { checks, delegations, parentZones, parentZoneVersions } from './tables.js';
import { NS, nocContext, startWorld, type World } from './test/world.js';
import { RDNS_DELEGATION } from './workflow.js';

/**
 * rdns.delegation end to end on loopback (peers tier): the institution's name servers are real
 * Knot instances, the check is the real checker, publication goes into the operator's real
 * Knot and is verified there; `kdig` (not our DNS client) is what the assertions read.
 */

async function settled(w: World, id: string): Promise<RequestRow> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await getRequest(w.database.db, nocContext(), id);
    if (r.status !== 'in_progress') return r;
    if (Date.now() > deadline) throw new Error(`request ${id} still at ${r.currentStep}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe(`rdns.delegation on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => {
    await w?.stop();
  });

  const file = (payload: object) =>
    fileRequest(w.database.db, w.tech, w.env, { kind: RDNS_DELEGATION, institutionId: w.inst, payload });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e,
    );
  const latest = async (zone: string) => {
    const [v] = await w.database.db
      .select({ serial: parentZoneVersions.serial, text: parentZoneVersions.text })
      .from(parentZoneVersions)
      .innerJoin(parentZones, eq(parentZones.id, parentZoneVersions.parentZoneId))
      .where(eq(parentZones.zone, zone))
      .orderBy(desc(parentZoneVersions.serial))
      .limit(1);
    return v;
  };

  it('delegates the /48 (with DS) and the /26: checked, published, served by the parent', async () => {
    const r48 = await file({ zone: w.z48, nameservers: NS, ds: [w.ds48] });
    const r26 = await file({ zone: w.z26, nameservers: NS });
    // Filing only validates: the check and the publication run in the background.
    expect(r48).toMatchObject({ status: 'in_progress', currentStep: 'check' });
    expect((await settled(w, r48.id)).status).toBe('completed');
    expect((await settled(w, r26.id)).status).toBe('completed');

    const ns48 = await kdig(w.parent, w.z48, 'NS');
    expect(ns48).toContain(`${w.z48}.`);
    expect(ns48).toMatch(/IN\s+NS\s+ns1\.univ-rdns\.fr\./);
    expect(ns48).toMatch(/IN\s+NS\s+ns2\.univ-rdns\.fr\./);
    expect(await kdig(w.parent, w.z48, 'DS')).toContain(`${w.ds48.keyTag} ${w.ds48.algorithm} 2 `);
    const last = Number(w.a26.prefix.split('/')[0]?.split('.')[3]);
    const owner = `${last}.${w.z26.split('.').slice(1).join('.')}`;
    expect(await kdig(w.parent, owner, 'PTR')).toMatch(
      new RegExp(`CNAME\\s+${last}\\.${w.z26.replaceAll('.', '\\.')}\\.`),
    );

    const v4 = await latest('48.193.in-addr.arpa');
    expect(v4?.text.split('\n').filter((l) => l.includes(' CNAME '))).toHaveLength(64);
    expect((await checkZoneText('48.193.in-addr.arpa', String(v4?.text))).ok).toBe(true);

    const history = await requestHistory(w.database.db, r48.id);
    const publish = history.find((e) => e.type === 'step_completed' && e.step === 'publish');
    expect(publish?.data).toMatchObject({ output: { pushed: true, verified: true } });
    const rows = await w.database.db.select().from(delegations).where(eq(delegations.institutionId, w.inst));
    expect(rows.map((r) => r.state)).toEqual(['published', 'published']);
    const runs = await w.database.db.select().from(checks);
    expect(runs.every((c) => !c.blocking)).toBe(true);
  });

  it('refusals at filing: outside its assignments, one name server, SHA-1 DS, already delegated', async () => {
    expect(await refusal(file({ zone: '9.48.193.in-addr.arpa', nameservers: NS }))).toMatchObject({
      code: 'POLICY_REFUSAL',
      rule: 'rdns.zone-not-assigned',
    });
    expect(await refusal(file({ zone: w.z48, nameservers: [NS[0]] }))).toMatchObject({ code: 'VALIDATION' });
    expect(
      await refusal(
        file({
          zone: w.z48,
          nameservers: NS,
          ds: [{ keyTag: 1, algorithm: 13, digestType: 1, digest: 'a'.repeat(40) }],
        }),
      ),
    ).toMatchObject({ code: 'POLICY_REFUSAL', rule: 'rdns.ds-digest-type' });
    expect(await refusal(file({ zone: w.z48, nameservers: NS }))).toMatchObject({ code: 'CONFLICT' });
    // An assignment in space no parent zone of the operator covers: nothing to publish into.
    const pool = await createPool(w.database.db, nocContext(), {
      name: 'uncovered',
      prefix: '2001:678::/32',
      status: 'ALLOCATED-BY-RIR',
      purpose: 'institutions',
      adminC: ['NOC1-RIPE'],
      techC: ['NOC1-RIPE'],
      mntBy: ['EXAMPLE-MNT'],
      country: 'FR',
    });
    const a = await allocatePrefix(w.database.db, nocContext(), {
      poolId: pool.id,
      length: 48,
      institutionId: w.inst,
      purpose: 'lab',
      justification: 'lab',
    });
    const zone = String(reverseZones(a.prefix)[0]?.zone);
    expect(await refusal(file({ zone, nameservers: NS }))).toMatchObject({
      code: 'POLICY_REFUSAL',
      rule: 'rdns.no-parent-zone',
    });
    const [none] = await w.database.db.select().from(delegations).where(eq(delegations.zone, zone));
    expect(none).toBeUndefined();
  });

  it('withdrawing (the assignment is returned) takes the records out of the served parent zone', async () => {
    const before = await latest('48.193.in-addr.arpa');
    await returnAssignment(w.database.db, nocContext(), w.env, w.a26.id);
    const [d] = await w.database.db.select().from(delegations).where(eq(delegations.zone, w.z26));
    expect(d).toMatchObject({ state: 'withdrawn' });
    // In the return's transaction the parent zone is only marked: named-checkzone never runs
    // while a transaction holds a lock. The server still has the old version meanwhile.
    const [marked] = await w.database.db
      .select()
      .from(parentZones)
      .where(eq(parentZones.zone, '48.193.in-addr.arpa'));
    expect(marked?.needsRender).toBe(true);
    expect(await kdig(w.parent, w.z26, 'NS')).toMatch(/IN\s+NS\s+ns1\.univ-rdns\.fr\./);
    const pushed = await syncParentZones(w.database.db, nocContext(), w.env.line('rdns').publisher);
    expect(pushed.filter((p) => p.pushed).map((p) => p.zone)).toEqual(['48.193.in-addr.arpa']);
    const after = await latest('48.193.in-addr.arpa');
    expect(after?.serial).toBeGreaterThan(Number(before?.serial));
    expect(after?.text).not.toContain(' CNAME ');
    expect(await kdig(w.parent, w.z26, 'NS')).not.toMatch(/IN\s+NS\s+ns1\.univ-rdns\.fr\./);
    expect(await syncParentZones(w.database.db, nocContext(), w.env.line('rdns').publisher)).toEqual([]);
  });
});

describe(`rdns.delegation returned by the check (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => {
    await w?.stop();
  });

  it('a server that does not serve the zone returns the request with the findings; fixed and resubmitted, it completes', async () => {
    const db = w.database.db;
    const wrong = [NS[0], { name: 'ns3.elsewhere.example' }];
    const req = await fileRequest(db, w.tech, w.env, {
      kind: RDNS_DELEGATION,
      institutionId: w.inst,
      payload: { zone: w.z48, nameservers: wrong },
    });
    const returned = await settled(w, req.id);
    expect(returned.status).toBe('returned');
    expect(returned.reason).toContain('NO_ADDRESS');
    expect(returned.reason).toContain('NS_MISMATCH');
    const event = (await requestHistory(db, req.id)).at(-1);
    expect(event).toMatchObject({ type: 'returned', step: 'check' });
    expect(JSON.stringify(event?.data)).toContain('NO_ADDRESS');
    // Nothing reached the parent; the delegation is given up, its check kept.
    const [d] = await db.select().from(delegations).where(eq(delegations.requestId, req.id));
    expect(d).toMatchObject({ state: 'withdrawn' });
    const [run] = await db
      .select()
      .from(checks)
      .where(and(eq(checks.delegationId, String(d?.id))));
    expect(run?.blocking).toBe(true);
    expect(await kdig(w.parent, w.z48, 'NS')).not.toMatch(/IN\s+NS\s+ns1\.univ-rdns\.fr\./);

    await amendRequest(db, w.tech, w.env, {
      requestId: req.id,
      revision: returned.revision,
      payload: { zone: w.z48, nameservers: NS },
    });
    await resubmitRequest(db, w.tech, w.env, { requestId: req.id });
    expect((await settled(w, req.id)).status).toBe('completed');
    expect(await kdig(w.parent, w.z48, 'NS')).toMatch(/IN\s+NS\s+ns1\.univ-rdns\.fr\./);
  });
});
