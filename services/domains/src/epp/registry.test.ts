import { type EppStandin, startEppStandin } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EppConnection } from './connection.js';
import {
  RegistryObjectExists,
  RegistryObjectMissing,
  RegistryRefusal,
  RegistryUnavailable,
} from './errors.js';
import { Registry } from './registry.js';
import { EppSession } from './session.js';
import { xsdErrors } from './test/xsd.js';

let standin: EppStandin;
let session: EppSession;
let registry: Registry;

const endpoint = () => ({
  host: standin.host,
  port: standin.port,
  clID: standin.clID,
  password: standin.password,
  ca: standin.ca,
  servername: 'localhost',
  timeoutMs: 5000,
});

const holder = (id: string, siren = '180089013') => ({
  id,
  name: 'Université d’Exemple',
  org: 'Université d’Exemple',
  street: ['1 rue de l’Exemple'],
  city: 'Paris',
  pc: '75005',
  cc: 'FR',
  email: 'dsi@univ-exemple.fr',
  authPw: 'Contact-pw-1',
  legalEntity: { legalStatus: 'other' as const, siren },
});
const person = (id: string) => ({
  id,
  name: 'Jeanne Dupont',
  street: [],
  city: 'Paris',
  cc: 'FR',
  email: `${id.toLowerCase()}@univ-exemple.fr`,
  authPw: 'Contact-pw-2',
});

beforeAll(async () => {
  standin = await startEppStandin({
    reserved: { 'paris.fr': 'City name' },
    forbidden: { 'trafiquants.fr': 'Legal issue' },
  });
  session = new EppSession(endpoint(), { helloIntervalMs: 0 });
  registry = new Registry(session, standin.clID);
  await registry.createContact(holder('GCH-H-1'));
  await registry.createContact(person('GCH-C-1'));
  await registry.createContact(person('GCH-C-2'));
  await registry.createHost('ns1.example.net', []);
  await registry.createHost('ns2.example.net', []);
});

afterAll(async () => {
  await session?.close();
  await standin?.stop();
});

const create = (name: string, extra: Partial<Parameters<Registry['createDomain']>[0]> = {}) =>
  registry.createDomain({
    name,
    years: 1,
    hosts: ['ns1.example.net', 'ns2.example.net'],
    registrant: 'GCH-H-1',
    admin: 'GCH-C-1',
    techs: ['GCH-C-2'],
    authPw: 'Abc-123-xyz',
    ds: [],
    ...extra,
  });

describe('the EPP client against the stand-in registry', () => {
  it('greets over TLS, logs in with AFNIC’s extensions, and refuses bad credentials without naming them', async () => {
    const c = await EppConnection.open(endpoint());
    expect(c.greeting?.extURIs).toContain('http://www.afnic.fr/xml/epp/frnic-2.0');
    expect((await c.hello()).svID).toMatch(/Stand-in/);
    await c.close();
    const wrong = EppConnection.open({ ...endpoint(), password: 'wrong-password-1' });
    await expect(wrong).rejects.toBeInstanceOf(RegistryUnavailable);
    await expect(wrong).rejects.not.toThrow(/wrong-password-1/);
  });

  it('checks availability in batches of 7 with the reserved and forbidden flags', async () => {
    await create('pris.fr');
    const names = [
      'pris.fr',
      'paris.fr',
      'trafiquants.fr',
      ...Array.from({ length: 12 }, (_, i) => `libre${i}.fr`),
    ];
    const before = standin.received.length;
    const got = await registry.check(names);
    expect(standin.received.length - before).toBe(3); // 15 names: 7 + 7 + 1
    expect(got.find((c) => c.name === 'pris.fr')).toMatchObject({ avail: false, reason: 'In use' });
    expect(got.find((c) => c.name === 'paris.fr')).toMatchObject({ reserved: true, rsvReason: 'City name' });
    expect(got.find((c) => c.name === 'trafiquants.fr')).toMatchObject({
      forbidden: true,
      fbdReason: 'Legal issue',
    });
    expect(got.filter((c) => c.avail)).toHaveLength(12);
  });

  it('creates a domain with its contacts, hosts and DS, and a retry of the same create is not an error', async () => {
    const ds = [{ keyTag: 4242, alg: 13, digestType: 2, digest: 'CD'.repeat(32) }];
    const first = await create('univ-exemple.fr', { ds, techs: ['GCH-C-1', 'GCH-C-2'] });
    expect(first.created).toBe(true);
    expect(first.exDate).toMatch(/^\d{4}-/);
    expect((await create('univ-exemple.fr')).created).toBe(false);
    const info = await registry.info('univ-exemple.fr');
    expect(info).toMatchObject({ registrant: 'GCH-H-1', hosts: ['ns1.example.net', 'ns2.example.net'], ds });
    expect(info.contacts).toEqual([
      { type: 'admin', id: 'GCH-C-1' },
      { type: 'tech', id: 'GCH-C-1' },
      { type: 'tech', id: 'GCH-C-2' },
    ]);
  });

  it('maps result codes to typed errors', async () => {
    await expect(registry.info('absent.fr')).rejects.toBeInstanceOf(RegistryObjectMissing);
    await expect(create('paris.fr')).rejects.toMatchObject({ rule: 'registry.policy' });
    await expect(create('autre.fr', { techs: [] })).rejects.toBeInstanceOf(RegistryRefusal);
    await expect(
      registry.createDomain({ ...(await spec('x1.fr')), registrant: 'GCH-C-1' }),
    ).rejects.toMatchObject({
      rule: 'registry.policy',
    });
    await registry.createHost('ns1.servi.fr', ['192.0.2.1']);
    await create('servi.fr');
    await create('client.fr', { hosts: ['ns1.servi.fr', 'ns2.example.net'] });
    await expect(registry.delete('servi.fr')).rejects.toMatchObject({
      rule: 'registry.association-prohibits',
    });
    await expect(registry.restore('client.fr')).rejects.toMatchObject({ rule: 'registry.status-prohibits' });
    standin.failNext(2400);
    await expect(registry.info('client.fr')).rejects.toBeInstanceOf(RegistryUnavailable);
    // A contact handle used twice by someone else's create would be 2302 at the wire:
    await expect(
      session.run((c) =>
        c.command(
          `<?xml version="1.0"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><create><host:create xmlns:host="urn:ietf:params:xml:ns:host-1.0"><host:name>ns1.example.net</host:name></host:create></create><clTRID>ABC-1</clTRID></command></epp>`,
          'host',
        ),
      ),
    ).rejects.toBeInstanceOf(RegistryObjectExists);
  });

  it('updates NS and DS (add/rem), renews, deletes into redemption and restores', async () => {
    await create('cycle.fr');
    await registry.createHost('ns3.example.net', []);
    const ds = { keyTag: 7, alg: 13, digestType: 4, digest: 'EF'.repeat(48) };
    await registry.update({
      name: 'cycle.fr',
      addHosts: ['ns3.example.net'],
      remHosts: ['ns1.example.net'],
      addDs: [ds],
    });
    let info = await registry.info('cycle.fr');
    expect(info.hosts).toEqual(['ns2.example.net', 'ns3.example.net']);
    expect(info.ds).toEqual([ds]);
    const renewed = await registry.renew('cycle.fr', info.exDate ?? '', 2);
    expect(new Date(renewed.exDate ?? 0).getUTCFullYear()).toBe(
      new Date(info.exDate ?? 0).getUTCFullYear() + 2,
    );
    await registry.delete('cycle.fr');
    info = await registry.info('cycle.fr');
    expect(info.statuses).toContain('pendingDelete');
    await expect(registry.update({ name: 'cycle.fr', remDs: [ds] })).rejects.toMatchObject({
      rule: 'registry.status-prohibits',
    });
    await registry.restore('cycle.fr');
    expect((await registry.info('cycle.fr')).statuses).toEqual(['ok']);
  });

  it('changes the holder with frnic:trade and transfers a name in with its authInfo', async () => {
    await create('cede.fr');
    await registry.createContact(holder('GCH-H-2', '19750001900014'));
    expect(
      await registry.trade({
        name: 'cede.fr',
        registrant: 'GCH-H-2',
        admin: 'GCH-C-2',
        techs: ['GCH-C-1'],
        keepDS: true,
      }),
    ).toEqual({
      status: 'serverApproved',
    });
    expect(await registry.info('cede.fr')).toMatchObject({
      registrant: 'GCH-H-2',
      contacts: [
        { type: 'admin', id: 'GCH-C-2' },
        { type: 'tech', id: 'GCH-C-1' },
      ],
    });

    const exDate = new Date(Date.now() + 200 * 86_400_000);
    standin.state.domains.set('arrivee.fr', {
      name: 'arrivee.fr',
      roid: 'DOM000000999-FRNIC',
      registrant: 'OTHER-H',
      admin: 'OTHER-A',
      techs: ['OTHER-T'],
      hosts: [],
      ds: [],
      authPw: 'Transfer-code-9',
      clID: 'OTHERREG',
      crDate: new Date(),
      exDate,
    });
    await expect(
      registry.transfer({
        name: 'arrivee.fr',
        authPw: 'wrong-code',
        admin: 'GCH-C-1',
        techs: ['GCH-C-2'],
        keepDS: true,
      }),
    ).rejects.toBeInstanceOf(RegistryUnavailable);
    const t = await registry.transfer({
      name: 'arrivee.fr',
      authPw: 'Transfer-code-9',
      admin: 'GCH-C-1',
      techs: ['GCH-C-2'],
      keepDS: true,
    });
    expect(t).toEqual({ status: 'serverApproved', exDate: exDate.toISOString() });
    expect((await registry.info('arrivee.fr')).clID).toBe(standin.clID);
  });

  it('reads the poll queue in order and dequeues only what is acked', async () => {
    standin.enqueue({
      msg: 'review_zonecheck',
      resData: (r) => {
        const p = r.ele('urn:ietf:params:xml:ns:domain-1.0', 'domain:panData');
        p.ele('domain:name', { paResult: '1' }).txt('univ-exemple.fr');
        p.ele('domain:paTRID').ele('svTRID').txt('frnic-0001');
        p.ele('domain:paDate').txt(new Date().toISOString());
      },
    });
    const first = await registry.pollRequest();
    expect(first).toMatchObject({
      kind: 'zonecheck',
      domain: 'univ-exemple.fr',
      outcome: 'passed',
      count: 1,
    });
    expect((await registry.pollRequest())?.id).toBe(first?.id); // not dequeued by reading
    await registry.pollAck(first?.id ?? '');
    expect(await registry.pollRequest()).toBeNull();
    await expect(registry.pollAck(first?.id ?? '')).rejects.toBeInstanceOf(RegistryObjectMissing);
  });

  it('reuses one session, and reconnects once when it is cut or closed by the registry', async () => {
    const s = new EppSession(endpoint(), { helloIntervalMs: 0 });
    const r = new Registry(s, standin.clID);
    await r.check(['a.fr']);
    await r.check(['b.fr']);
    expect(s.opened).toBe(1);
    standin.dropConnections();
    await r.check(['c.fr']);
    expect(s.opened).toBe(2);
    standin.failNext(2502);
    expect(await r.check(['d.fr'])).toHaveLength(1);
    expect(s.opened).toBe(3);
    await s.close();
  });

  it('keeps an idle session alive with <hello>', async () => {
    const s = new EppSession(endpoint(), { helloIntervalMs: 100 });
    await s.run((c) => c.hello());
    const sent = standin.received.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(standin.received.slice(sent).some((x) => x.includes('<hello/>'))).toBe(true);
    await s.close();
  });

  it('every frame the stand-in sent is valid against the EPP schemas', async () => {
    const errors: string[] = [];
    for (const xml of new Set(standin.sent)) errors.push(...(await xsdErrors(xml)));
    expect(standin.sent.length).toBeGreaterThan(30);
    expect(errors).toEqual([]);
  });

  it('and so is every frame the client sent', async () => {
    const errors: string[] = [];
    for (const xml of new Set(standin.received)) errors.push(...(await xsdErrors(xml)));
    expect(errors).toEqual([]);
  });
});

async function spec(name: string) {
  return {
    name,
    years: 1,
    hosts: ['ns1.example.net', 'ns2.example.net'],
    registrant: 'GCH-H-1',
    admin: 'GCH-C-1',
    techs: ['GCH-C-2'],
    authPw: 'Abc-123-xyz',
    ds: [],
  };
}
