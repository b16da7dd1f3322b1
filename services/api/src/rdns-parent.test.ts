import { systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { DEMO_INSTITUTIONS, seedDemoMembership } from '@guichet/membership';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactToken, institutionId, staffWithToken, testApp } from './test-app.js';

/**
 * Api tier of rdns parent zones: the NOC declares the operator's parent zones over GraphQL
 * and reads them back; refusals are typed (field path for a prefix that is not one zone,
 * CONFLICT for the same zone twice) and write nothing; the desk reads but may not declare;
 * a contact may not even read.
 */

const ERR = '... on Error { __typename code message } ... on ValidationError { issues { path message } }';
const CREATE = `mutation($input: CreateParentZoneInput!) { r: createParentZone(input: $input) {
  __typename ... on CreateParentZonePayload { parentZone { id zone prefix serverAddress serverPort mname rname nameservers createdAt } } ${ERR} } }`;
const LIST = '{ parentZones { id zone prefix serverAddress serverPort mname rname nameservers } }';
const SERVER = {
  serverAddress: '192.0.2.53',
  mname: 'ns.nren.example',
  rname: 'hostmaster.nren.example',
  nameservers: ['ns.nren.example', 'ns2.nren.example'],
};

type App = Awaited<ReturnType<typeof testApp>>;

describe(`rdns parent zones over GraphQL on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let t: App;
  let noc: string;
  let desk: string;
  let tech: string;
  const count = async () =>
    Number((await database.query<{ n: number }>('SELECT count(*)::int AS n FROM rdns_parent_zones'))[0]?.n);

  beforeAll(async () => {
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    t = await testApp(database);
    noc = (await staffWithToken(database, 'noc-rdns', ['noc'])).token;
    desk = (await staffWithToken(database, 'desk-rdns', ['desk'])).token;
    tech = await contactToken(database, await institutionId(database, DEMO_INSTITUTIONS[0]!.shortName));
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });

  it('the NOC declares an IPv4 /16 and an IPv6 /32 and reads them back', async () => {
    const v4 = await t.gql(CREATE, { input: { prefix: '193.48.0.0/16', ...SERVER } }, noc);
    expect(v4.body.data.r.__typename, JSON.stringify(v4.body)).toBe('CreateParentZonePayload');
    expect(v4.body.data.r.parentZone).toMatchObject({
      zone: '48.193.in-addr.arpa',
      prefix: '193.48.0.0/16',
      serverAddress: '192.0.2.53',
      serverPort: 53,
    });
    const v6 = await t.gql(
      CREATE,
      { input: { prefix: '2001:0660::/32', ...SERVER, serverAddress: '2001:DB8::53', serverPort: 5353 } },
      noc,
    );
    expect(v6.body.data.r.__typename, JSON.stringify(v6.body)).toBe('CreateParentZonePayload');

    const list = await t.gql(LIST, {}, noc);
    expect(list.body.errors).toBeUndefined();
    expect(list.body.data.parentZones).toEqual([
      {
        id: v4.body.data.r.parentZone.id,
        zone: '48.193.in-addr.arpa',
        prefix: '193.48.0.0/16',
        serverAddress: '192.0.2.53',
        serverPort: 53,
        mname: 'ns.nren.example',
        rname: 'hostmaster.nren.example',
        nameservers: ['ns.nren.example', 'ns2.nren.example'],
      },
      {
        id: v6.body.data.r.parentZone.id,
        zone: '0.6.6.0.1.0.0.2.ip6.arpa',
        prefix: '2001:660::/32',
        serverAddress: '2001:db8::53',
        serverPort: 5353,
        mname: 'ns.nren.example',
        rname: 'hostmaster.nren.example',
        nameservers: ['ns.nren.example', 'ns2.nren.example'],
      },
    ]);
    // The desk reads the configuration too.
    expect((await t.gql(LIST, {}, desk)).body.data.parentZones).toHaveLength(2);
  });

  it('typed refusals write nothing: a /20 at input.prefix, the same zone twice as CONFLICT', async () => {
    const before = await count();
    const bad = await t.gql(CREATE, { input: { prefix: '193.49.0.0/20', ...SERVER } }, noc);
    expect(bad.body.data.r).toMatchObject({
      __typename: 'ValidationError',
      code: 'VALIDATION',
      issues: [{ path: ['input', 'prefix'], message: expect.stringContaining('/8, /16 or /24') }],
    });
    const twice = await t.gql(CREATE, { input: { prefix: '193.48.0.0/16', ...SERVER } }, noc);
    expect(twice.body.data.r).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect(await count()).toBe(before);
  });

  it('a malformed scalar is refused while parsing, before any resolver', async () => {
    const res = await t.gql(CREATE, { input: { prefix: '193.48.0.1/16', ...SERVER } }, noc);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('VALIDATION');
  });

  it('the desk may not declare one; a contact may not read them', async () => {
    const before = await count();
    const byDesk = await t.gql(CREATE, { input: { prefix: '193.50.0.0/16', ...SERVER } }, desk);
    expect(byDesk.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const byContact = await t.gql(LIST, {}, tech);
    expect(byContact.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(byContact.body.data).toBeNull();
    expect(await count()).toBe(before);
    expect(t.crashes()).toEqual([]);
  });
});
