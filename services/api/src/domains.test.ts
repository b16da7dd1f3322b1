import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newRequestContext, systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { drainPoll, EppSession, makeGate, Registry } from '@guichet/domains';
import { DEMO_INSTITUTIONS, listContacts, seedDemoMembership } from '@guichet/membership';
import {
  type EppStandin,
  freeTcpPort,
  freshDatabase,
  type Knot,
  kdig,
  startEppStandin,
  startKnot,
  until,
} from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactToken, institutionId, staffWithToken, testApp } from './test-app.js';

/**
 * Issue 11, "Done when", over the API: a technical contact of an institution under contract
 * files two .fr names at once; the charter passes, the head signs the letter, the desk then the
 * NOC validate (the name servers are Knot on loopback and pass the gate), the stand-in registry
 * holds both names with their contacts and hosts, one is free and the other costs 75 €; a poll
 * message is acted on exactly once across a worker restart; a .prd.fr name is answered by the
 * operator's Knot; names failing the charter are refused with their rule and file nothing.
 */

const ERR = '... on Error { __typename code message } ... on PolicyRefusalError { rule }';
const NAMES = ['premier-labo.fr', 'second-labo.fr'];
const NS = ['ns1.dns-univ.example', 'ns2.dns-univ.example'];
type App = Awaited<ReturnType<typeof testApp>>;

const zoneOf = (name: string) =>
  [
    `$ORIGIN ${name}.`,
    '$TTL 300',
    `@ IN SOA ${NS[0]}. hostmaster.${name}. 2026120201 14400 3600 1209600 3600`,
    ...NS.map((n) => `@ IN NS ${n}.`),
    '@ IN A 192.0.2.80',
  ].join('\n');

describe(`domains done-when (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Database;
  let t: App;
  let standin: EppStandin;
  let operator: Knot;
  const servers: Knot[] = [];
  let inst = '';
  let tech = '';
  let head = '';
  let noc = '';
  let desk = '';
  let adminContact = '';
  let techContacts: string[] = [];

  beforeAll(async () => {
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    const contrat = DEMO_INSTITUTIONS.find((d) => d.kind === 'contrat');
    inst = await institutionId(database, String(contrat?.shortName));
    tech = await contactToken(database, inst, 'technical');
    head = await contactToken(database, inst, 'head');
    adminContact = String((await listContacts(database.db, inst, 'administrative'))[0]?.id);
    techContacts = (await listContacts(database.db, inst, 'technical')).map((c) => c.id).slice(0, 2);
    noc = (await staffWithToken(database, 'noc-dom', ['noc'])).token;
    desk = (await staffWithToken(database, 'desk-dom', ['desk'])).token;

    // The institution's name servers: Knot on 127.0.0.2 and 127.0.0.3, serving both names.
    const port = await freeTcpPort('127.0.0.2');
    const zones = [...NAMES, 'labo-prd.prd.fr'].map((name) => ({ name, text: zoneOf(name) }));
    servers.push(
      ...(await Promise.all(['127.0.0.2', '127.0.0.3'].map((listen) => startKnot({ listen, port, zones })))),
    );
    const addresses: Record<string, string> = { [String(NS[0])]: '127.0.0.2', [String(NS[1])]: '127.0.0.3' };
    const gate = makeGate({
      port,
      timeoutMs: 1000,
      resolve: async (name) => {
        const a = addresses[name.replace(/\.$/, '')];
        return a ? [{ address: a, port }] : [];
      },
    });

    // The operator's server for .prd.fr, and the stand-in registry: both reached through the
    // line's own variables, as in production.
    operator = await startKnot({
      zones: [
        {
          name: 'prd.fr',
          text: '$ORIGIN prd.fr.\n$TTL 300\n@ IN SOA ns.nren.example. hostmaster.nren.example. 1 14400 3600 1209600 3600\n@ IN NS ns.nren.example.\n',
        },
      ],
    });
    standin = await startEppStandin();
    const caFile = join(operator.dir, 'epp-ca.pem');
    await writeFile(caFile, standin.ca);
    t = await testApp(
      database,
      {
        DOMAINS_EPP_HOST: standin.host,
        DOMAINS_EPP_PORT: String(standin.port),
        DOMAINS_EPP_CLIENT_ID: standin.clID,
        DOMAINS_EPP_PASSWORD: standin.password,
        DOMAINS_EPP_CA_FILE: caFile,
        DOMAINS_PRD_KNOT_CONF: operator.conf,
        DOMAINS_PRD_ZONE_DIR: join(operator.dir, 'zones'),
        DOMAINS_PRD_SERVER: `${operator.address}:${operator.port}`,
        DOMAINS_PRD_MNAME: 'ns.nren.example',
        DOMAINS_PRD_RNAME: 'hostmaster.nren.example',
        DOMAINS_PRD_NAMESERVERS: 'ns.nren.example',
        // The poll job runs when a test sends it: the default schedule (every 5 minutes) could
        // drain the stand-in's queue between a test's enqueue and its own drain (seen in CI).
        DOMAINS_POLL_CRON: '0 0 1 1 *',
      },
      { jobs: true, runtimes: { domains: (built) => ({ ...built, gate }) } },
    );
  });

  afterAll(async () => {
    await t?.close();
    await standin?.stop();
    await Promise.all([operator, ...servers].map((k) => k?.stop()));
    await database?.close();
  });

  const request = (name: string, extra: object = {}) =>
    t.gql(
      `mutation($input: RequestDomainInput!) { r: requestDomain(input: $input) { __typename ... on DomainRequestPayload { request { id status currentStep } } ${ERR} } }`,
      {
        input: {
          institutionId: inst,
          name,
          adminContactId: adminContact,
          techContactIds: techContacts,
          nameservers: NS.map((n) => ({ name: n })),
          ...extra,
        },
      },
      tech,
    );
  const state = async (id: string) =>
    (await t.gql('query($id: ID!) { request(id: $id) { status currentStep reason } }', { id }, noc)).body.data
      .request as {
      status: string;
      currentStep: string | null;
      reason: string | null;
    };
  const at = (id: string, step: string | null, status = 'IN_PROGRESS') =>
    until(
      `request at ${step ?? status}`,
      async () => {
        const s = await state(id);
        if (s.status !== 'IN_PROGRESS' && s.status !== status)
          throw new Error(`request ${s.status}: ${s.reason}`);
        return s.status === status && s.currentStep === step ? s : undefined;
      },
      30_000,
    );
  const approve = async (id: string, step: string, token: string) => {
    const r = await t.gql(
      `mutation($input: ApproveRequestStepInput!) { r: approveRequestStep(input: $input) { __typename ${ERR} } }`,
      { input: { requestId: id, step } },
      token,
    );
    expect(r.body.data.r.__typename, JSON.stringify(r.body)).toBe('ApproveRequestStepPayload');
  };
  const sign = async (id: string) => {
    const doc = (await t.gql('query($id: ID!) { request(id: $id) { document { text hash } } }', { id }, head))
      .body.data.request.document;
    expect(doc.text).toContain('LETTER OF COMMITMENT');
    const r = await t.gql(
      `mutation($input: SignRequestInput!) { r: signRequest(input: $input) { __typename ${ERR} } }`,
      { input: { requestId: id, documentHash: doc.hash } },
      head,
    );
    expect(r.body.data.r.__typename, JSON.stringify(r.body)).toBe('SignRequestPayload');
    return doc.text as string;
  };
  const carryThrough = async (id: string) => {
    await at(id, 'signature');
    const text = await sign(id);
    await approve(id, 'administrative', desk);
    await at(id, 'technical');
    await approve(id, 'technical', noc);
    await at(id, null, 'COMPLETED');
    return text;
  };

  it('two .fr names filed at once go through every step; the registry holds both; one is free, the other 75 €', async () => {
    const filed = await Promise.all(NAMES.map((n) => request(n)));
    const ids = filed.map((f) => {
      expect(f.body.data.r.__typename, JSON.stringify(f.body)).toBe('DomainRequestPayload');
      return String(f.body.data.r.request.id);
    });
    const letters = await Promise.all(ids.map(carryThrough));
    expect(letters.filter((l) => l.includes('Price: 0 € — free'))).toHaveLength(1);
    expect(letters.filter((l) => l.includes('Price: 75 €'))).toHaveLength(1);

    const q = await t.gql(
      'query($id: ID!) { institution(id: $id) { domains { name state priceCents pricing adminContact { id } techContacts { id } nameservers { name } requests { kind status } } } }',
      { id: inst },
      tech,
    );
    const list = q.body.data.institution.domains as {
      name: string;
      state: string;
      priceCents: number;
      pricing: string;
    }[];
    expect(list.map((d) => [d.name, d.state])).toEqual(NAMES.map((n) => [n, 'ACTIVE']));
    expect(list.map((d) => d.priceCents).sort()).toEqual([0, 7500]);
    expect(list.map((d) => d.pricing).sort()).toEqual(['CONTRAT', 'FIRST_FREE']);
    for (const n of NAMES) {
      const held = standin.state.domains.get(n);
      expect(held?.hosts).toEqual(NS);
      expect(held?.techs).toHaveLength(techContacts.length);
      expect(standin.state.contacts.get(held?.registrant ?? '')?.siren).toMatch(/^\d{9}(\d{5})?$/);
      expect(standin.state.contacts.has(held?.admin ?? '')).toBe(true);
      for (const h of NS) expect(standin.state.hosts.has(h)).toBe(true);
    }
  });

  it('a poll message is acted on exactly once across a worker restart', async () => {
    const msgId = standin.enqueue({
      msg: 'Domain deleted by the registry',
      extension: (e) => {
        const d = e
          .ele('http://www.afnic.fr/xml/epp/frnic-2.0', 'frnic:ext')
          .ele('frnic:resData')
          .ele('frnic:ntfData')
          .ele('frnic:domain');
        d.ele('frnic:name').txt(String(NAMES[1]));
        d.ele('frnic:event').txt('deletedByRegistry');
      },
    });
    // The first worker stores and acts, then dies before its ack.
    const dying = new EppSession(
      {
        host: standin.host,
        port: standin.port,
        clID: standin.clID,
        password: standin.password,
        ca: standin.ca,
        servername: 'localhost',
      },
      { helloIntervalMs: 0 },
    );
    const ctx = newRequestContext({ actor: { kind: 'system', name: 'domains.poll' } });
    await expect(
      drainPoll(database.db, ctx, new Registry(dying, standin.clID), {
        afterStore: async () => {
          standin.dropConnections();
          throw new Error('worker killed');
        },
      }),
    ).rejects.toThrow('worker killed');
    await dying.close();
    expect(standin.state.queue.map((m) => m.id)).toEqual([msgId]);
    // The restarted worker runs the scheduled poll job.
    await t.jobs?.send('domains.poll', {});
    const polled = await until(
      'poll message acked',
      async () => {
        const r = await t.gql(
          '{ domainPollMessages(limit: 5) { registryId action ackedAt } }',
          undefined,
          noc,
        );
        const m = (
          r.body.data.domainPollMessages as { registryId: string; action: string; ackedAt: string | null }[]
        ).filter((x) => x.registryId === msgId);
        return m[0]?.ackedAt ? m : undefined;
      },
      30_000,
    );
    expect(polled).toHaveLength(1);
    expect(polled[0]?.action).toBe(`${NAMES[1]} deleted by the registry`);
    expect(standin.state.queue).toEqual([]);
    const changes = await database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_changes WHERE action = 'domains.poll.deletion'`,
    );
    expect(changes[0]?.n).toBe(1);
  });

  it('a .prd.fr name is answered by the operator’s Knot', async () => {
    const f = await request('labo-prd.prd.fr');
    const id = String(f.body.data.r.request.id);
    await carryThrough(id);
    const answer = await kdig(operator, 'labo-prd.prd.fr', 'NS');
    for (const n of NS)
      expect(answer).toMatch(
        new RegExp(`labo-prd\\.prd\\.fr\\.\\s+\\d+\\s+IN\\s+NS\\s+${n.replaceAll('.', '\\.')}\\.`),
      );
    expect(standin.state.domains.has('labo-prd.prd.fr')).toBe(false);
  });

  it('names failing the charter are refused with their rule and file nothing', async () => {
    const before = await database.query<{ n: number }>('SELECT count(*)::int AS n FROM workflow_requests');
    const cases: [string, string][] = [
      ['-abc.fr', 'charter.hyphen-edge'],
      ['ab--cd.fr', 'charter.hyphen-34'],
      [`${'a'.repeat(64)}.fr`, 'charter.length'],
      ['ab_c.fr', 'charter.characters'],
    ];
    for (const [name, rule] of cases) {
      const r = await request(name);
      expect(r.body.data.r, name).toMatchObject({
        __typename: 'PolicyRefusalError',
        code: 'POLICY_REFUSAL',
        rule,
      });
    }
    const after = await database.query<{ n: number }>('SELECT count(*)::int AS n FROM workflow_requests');
    expect(after[0]?.n).toBe(before[0]?.n);
    const check = await t.gql(
      '{ checkDomainName(name: "ab--cd.fr") { charterOk violations { rule } } }',
      undefined,
      tech,
    );
    expect(check.body.data.checkDomainName).toEqual({
      charterOk: false,
      violations: [{ rule: 'charter.hyphen-34' }],
    });
  });
});
