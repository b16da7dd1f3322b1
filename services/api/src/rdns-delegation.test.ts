import { join } from 'node:path';
import { type RequestContext, systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { knotPublisher } from '@guichet/dns';
import { allocatePrefix, createPool } from '@guichet/ipam';
import { DEMO_INSTITUTIONS, seedDemoMembership } from '@guichet/membership';
import { reverseZones } from '@guichet/net';
import { type Checker, makeChecker, type Publisher, RECHECK_JOB, renderParentZone } from '@guichet/rdns';
import { freeTcpPort, freshDatabase, type Knot, kdig, signZone, startKnot, until } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactToken, institutionId, staffWithToken, testApp } from './test-app.js';

/**
 * Issue 5, "Done when", over the API with real servers on loopback: a technical contact
 * delegates the reverse zones of its /48 (signed, with a DS) and of its /26 (RFC 2317) to two
 * name servers (Knot on 127.0.0.2 and 127.0.0.3); the check passes; `kdig` against the
 * operator's parent server (Knot on 127.0.0.1, parent zones created by the NOC over GraphQL)
 * shows the NS, the DS and the /26's CNAMEs; one name server breaks, and the daily re-check
 * job opens a ticket in the rdns queue and emails the technical contacts.
 */

const ERR = '... on Error { __typename code message }';
const NS = ['ns1.univ-a.fr', 'ns2.univ-a.fr'];
type App = Awaited<ReturnType<typeof testApp>>;

function childZone(zone: string, extra: string[] = []): string {
  return [
    `$ORIGIN ${zone}.`,
    '$TTL 300',
    `@ IN SOA ${NS[0]}. hostmaster.univ-a.fr. 2026112301 14400 3600 1209600 3600`,
    ...NS.map((n) => `@ IN NS ${n}.`),
    ...extra,
  ].join('\n');
}

describe(`reverse delegation done-when (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Database;
  let checker: Checker | undefined;
  let publisher: Publisher | undefined;
  let t: App;
  let noc: string;
  let tech: string;
  let instA: string;
  let parent: Knot;
  const servers: Knot[] = [];
  let z48 = '';
  let z26 = '';
  let first26 = 0;
  let signed: ReturnType<typeof signZone>;

  beforeAll(async () => {
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    // The checker and the publisher point at this test's servers, started below.
    t = await testApp(
      database,
      { RDNS_REPAIR_DELAY_SECONDS: '1' },
      {
        jobs: true,
        runtimes: {
          rdns: (built) => ({
            ...built,
            checker: (d) => (checker ? checker(d) : Promise.reject(new Error('no checker yet'))),
            publisher: (zone, text) => (publisher ? publisher(zone, text) : Promise.resolve()),
          }),
        },
      },
    );
    const nocStaff = await staffWithToken(database, 'noc-rdns', ['noc']);
    noc = nocStaff.token;
    instA = await institutionId(database, String(DEMO_INSTITUTIONS[0]?.shortName));
    tech = await contactToken(database, instA);
    const nocCtx: RequestContext = {
      ...systemContext('test'),
      actor: {
        kind: 'staff',
        id: nocStaff.staff.id,
        username: 'noc-rdns',
        displayName: 'NOC',
        roles: ['noc'],
        credential: { method: 'session', scope: 'write' },
      },
    };
    const rpsl = { adminC: ['NOC1-RIPE'], techC: ['NOC1-RIPE'], mntBy: ['EXAMPLE-MNT'], country: 'FR' };
    const p6 = await createPool(database.db, nocCtx, {
      name: 'v6',
      prefix: '2001:660::/32',
      status: 'ALLOCATED-BY-RIR',
      purpose: 'institutions',
      ...rpsl,
    });
    const p4 = await createPool(database.db, nocCtx, {
      name: 'v4',
      prefix: '193.48.0.0/16',
      status: 'ALLOCATED PA',
      purpose: 'institutions',
      ...rpsl,
    });
    const alloc = (poolId: string, length: number) =>
      allocatePrefix(database.db, nocCtx, {
        poolId,
        length,
        institutionId: instA,
        purpose: 'campus',
        justification: 'LAN',
      });
    const a48 = await alloc(p6.id, 48);
    const a26 = await alloc(p4.id, 26);
    z48 = String(reverseZones(a48.prefix)[0]?.zone);
    z26 = String(reverseZones(a26.prefix)[0]?.zone);
    first26 = Number(a26.prefix.split('/')[0]?.split('.')[3]);

    // The operator's server, serving its parent zones before any delegation.
    const head = (zone: string) => ({
      zone,
      serial: 1,
      mname: 'ns.nren.example',
      rname: 'hostmaster.nren.example',
      nameservers: ['ns.nren.example', 'ns2.nren.example'],
    });
    const parents = [
      { zone: '0.6.6.0.1.0.0.2.ip6.arpa', prefix: '2001:660::/32' },
      { zone: '48.193.in-addr.arpa', prefix: '193.48.0.0/16' },
    ];
    parent = await startKnot({
      zones: parents.map((p) => ({ name: p.zone, text: renderParentZone(head(p.zone), []) })),
    });
    for (const p of parents) {
      const made = await t.gql(
        `mutation($input: CreateParentZoneInput!) { r: createParentZone(input: $input) { __typename ${ERR} } }`,
        {
          input: {
            prefix: p.prefix,
            serverAddress: parent.address,
            serverPort: parent.port,
            mname: 'ns.nren.example',
            rname: 'hostmaster.nren.example',
            nameservers: ['ns.nren.example', 'ns2.nren.example'],
          },
        },
        noc,
      );
      expect(made.body.data.r.__typename, JSON.stringify(made.body)).toBe('CreateParentZonePayload');
    }

    // The institution's two name servers.
    const port = await freeTcpPort('127.0.0.2');
    signed = signZone(z48, childZone(z48, ['1 IN PTR host1.univ-a.fr.']));
    const zones = [
      { name: z48, text: signed.text },
      { name: z26, text: childZone(z26, [`${first26 + 1} IN PTR gw.univ-a.fr.`]) },
    ];
    servers.push(
      ...(await Promise.all(['127.0.0.2', '127.0.0.3'].map((listen) => startKnot({ listen, port, zones })))),
    );
    const addresses: Record<string, string> = {
      [NS[0] as string]: '127.0.0.2',
      [NS[1] as string]: '127.0.0.3',
    };
    checker = makeChecker({
      port,
      timeoutMs: 1000,
      resolve: async (name) => {
        const a = addresses[name.replace(/\.$/, '')];
        return a ? [{ address: a, port }] : [];
      },
    });
    publisher = knotPublisher({ conf: parent.conf, zoneDir: join(parent.dir, 'zones') });
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([parent, ...servers].map((k) => k?.stop()));
    await database?.close();
  });

  const requestStatus = async (id: string) =>
    (await t.gql('query($id: ID!) { request(id: $id) { status reason } }', { id }, tech)).body.data
      .request as {
      status: string;
      reason: string | null;
    };

  it('the technical contact delegates its /48 (with DS) and its /26; the parent serves NS, DS and CNAMEs', async () => {
    const zonesQ = await t.gql(
      'query($id: ID!) { institution(id: $id) { reverseZones { zone kind delegation { state } } } }',
      { id: instA },
      tech,
    );
    const offered = zonesQ.body.data.institution.reverseZones as { zone: string; kind: string }[];
    expect(offered.map((z) => z.zone).sort()).toEqual([z48, z26].sort());

    const ask = async (zone: string, ds?: object[]) => {
      const r = await t.gql(
        `mutation($input: RequestReverseDelegationInput!) { r: requestReverseDelegation(input: $input) {
          __typename ... on RequestReverseDelegationPayload { request { id status } } ${ERR} } }`,
        {
          input: {
            institutionId: instA,
            zone,
            nameservers: NS.map((name) => ({ name })),
            ...(ds ? { ds } : {}),
          },
        },
        tech,
      );
      expect(r.body.data.r.__typename, JSON.stringify(r.body)).toBe('RequestReverseDelegationPayload');
      return r.body.data.r.request.id as string;
    };
    const { keyTag, algorithm, digestType, digest } = signed.ds;
    const ids = [await ask(z48, [{ keyTag, algorithm, digestType, digest }]), await ask(z26)];
    for (const id of ids) {
      const done = await until('delegation request settled', async () => {
        const r = await requestStatus(id);
        return r.status === 'IN_PROGRESS' ? undefined : r;
      });
      expect(done, JSON.stringify(done)).toMatchObject({ status: 'COMPLETED' });
    }

    const ns = await kdig(parent, z48, 'NS');
    for (const n of NS)
      expect(ns).toMatch(new RegExp(`${z48.replaceAll('.', '\\.')}\\.\\s+\\d+\\s+IN\\s+NS\\s+${n}\\.`));
    expect(await kdig(parent, z48, 'DS')).toMatch(new RegExp(`IN\\s+DS\\s+${keyTag} ${algorithm} 2 `));
    const owner = `${first26 + 1}.${z26.split('.').slice(1).join('.')}`;
    expect(await kdig(parent, owner, 'PTR')).toMatch(
      new RegExp(`CNAME\\s+${first26 + 1}\\.${z26.replaceAll('.', '\\.')}\\.`),
    );
    expect(await kdig(parent, z26, 'NS')).toMatch(/IN\s+NS\s+ns2\.univ-a\.fr\./);
  });

  it('one server breaks: the daily re-check job opens a ticket in the rdns queue and emails the technical contacts', async () => {
    await servers[1]?.stop();
    await t.jobs?.send(RECHECK_JOB, {});
    const ticket = await until('a ticket for the lame zones', async () => {
      const r = await t.gql(
        'query { tickets(queue: "rdns", first: 20) { edges { node { id kind requestId state institutionId } } } }',
        {},
        noc,
      );
      const lame = (r.body.data.tickets.edges as { node: { kind: string; requestId: string } }[])
        .map((e) => e.node)
        .filter((n) => n.kind === 'rdns.lameDelegation');
      return lame.length === 2 ? lame : undefined;
    });
    expect(
      ticket.map((n) => n).every((n) => (n as unknown as { institutionId: string }).institutionId === instA),
    ).toBe(true);
    const mails = await t.gql(
      'query($id: ID!) { notifications(requestId: $id) { template recipient } }',
      { id: ticket[0]?.requestId },
      noc,
    );
    expect(mails.body.data.notifications.length).toBeGreaterThan(0);
    expect(
      mails.body.data.notifications.every((m: { template: string }) => m.template === 'ACTION_NEEDED'),
    ).toBe(true);
    // The contact sees the state of its zones.
    const zonesQ = await t.gql(
      'query($id: ID!) { institution(id: $id) { reverseZones { zone delegation { state checks { blocking findings { code } } } } } }',
      { id: instA },
      tech,
    );
    const states = (zonesQ.body.data.institution.reverseZones as { delegation: { state: string } }[]).map(
      (z) => z.delegation.state,
    );
    expect(states).toEqual(['LAME', 'LAME']);
    expect(t.crashes()).toEqual([]);
  });
});
