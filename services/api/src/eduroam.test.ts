import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditChanges } from '@guichet/audit';
import { systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { eq } from '@guichet/db';
import {
  dnsClientRealmDns,
  RadiusClient,
  RadiusTimeout,
  SERVER_DOWN,
  validateInstitutionJson,
  validateRoJson,
} from '@guichet/eduroam';
import { DEMO_INSTITUTIONS, listContacts, seedDemoMembership } from '@guichet/membership';
import {
  freeUdpPortPair,
  freshDatabase,
  type Knot,
  makeRaddb,
  type Radius,
  startKnot,
  startRadius,
  until,
} from '@guichet/testkit';
import { tickets } from '@guichet/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { institutionId, staffWithToken, testApp, tokenForContact } from './test-app.js';

/**
 * Issue 12, "Done when", over the API with real daemons on loopback: an institution's technical
 * contact activates eduroam (the head signs the charter, the desk validates), proves and declares
 * the realm univ-a.example (TXT in a Knot the realm proof asks), declares its FreeRADIUS server
 * (the secret shown once) and a site. The national proxy Guichet generates passes freeradius -XC,
 * is swapped in and restarted, proxies alice's Access-Request to the institution's real
 * FreeRADIUS and back, and drops a request without Message-Authenticator. The Status-Server
 * probe records the server up; stopping it opens a ticket after three failed probes. The
 * export validates against the eduroam database v2 schema.
 */

const ERR = '... on Error { __typename code message }';
const MONITOR_SECRET = 'MonitorSecretForGuichetOnLoopback0001';
type App = Awaited<ReturnType<typeof testApp>>;

describe(`eduroam done-when (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Database;
  let t: App;
  let knot: Knot;
  let proxy: Radius | undefined;
  let home: Radius | undefined;
  let base: string;
  let proxyPort: number;
  let inst: string;
  const tok: Record<string, string> = {};
  let serverId = '';
  let secret = '';

  const gql = async (token: string, query: string, variables?: Record<string, unknown>) => {
    const res = await t.gql(query, variables, token);
    expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
    return res.body.data.r;
  };

  beforeAll(async () => {
    database = await freshDatabase();
    await seedDemoMembership(database, systemContext('seed'));
    // The Institut de Recherche Example: a member without eduroam, a contact in every role.
    inst = await institutionId(database, String(DEMO_INSTITUTIONS[1]?.shortName));
    for (const role of ['technical', 'head', 'eduroam'] as const) {
      const c = (await listContacts(database.db, inst, role))[0];
      if (!c) throw new Error(`no ${role}`);
      tok[role] = await tokenForContact(database, c.id);
      if (role === 'eduroam') tok.eduroamContactId = c.id;
    }
    knot = await startKnot({ zones: [{ name: 'univ-a.example', text: zone([]) }] });
    base = mkdtempSync(join(tmpdir(), 'eduroam-done-'));
    proxyPort = await freeUdpPortPair();
    const target = { template: join(base, 'template'), live: join(base, 'live') };
    makeRaddb(target.template, {
      address: '127.0.0.1',
      authPort: proxyPort,
      innerPort: await freeUdpPortPair(),
    });
    t = await testApp(
      database,
      {
        EDUROAM_ALLOW_PRIVATE_SERVERS: 'true',
        EDUROAM_PROBE_TIMEOUT_MS: '300',
        EDUROAM_PROBE_ATTEMPTS: '1',
        EDUROAM_RECOVERY_CHECK_SECONDS: '1',
        EDUROAM_PROBE_SOURCE: '127.0.0.1',
        EDUROAM_MONITOR_SECRET: MONITOR_SECRET,
        EDUROAM_PROXY_CHECK: `127.0.0.1:${proxyPort}`,
      },
      {
        jobs: true,
        runtimes: {
          eduroam: (built) => ({
            ...built,
            dns: dnsClientRealmDns([`127.0.0.1:${knot.port}`], 1000),
            deploy: target,
            // FreeRADIUS 3 reads clients and realms at start: Guichet restarts it after a swap.
            reload: async () => {
              if (proxy) await proxy.restart();
              else proxy = await startRadius({ raddb: target.live, authPort: proxyPort });
            },
          }),
        },
      },
    );
    tok.desk = (await staffWithToken(database, 'desk-eduroam', ['desk'])).token;
    tok.noc = (await staffWithToken(database, 'noc-eduroam', ['noc'])).token;
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await Promise.all([proxy?.stop(), home?.stop(), knot?.stop()]);
    await database?.close();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  function zone(records: string[]) {
    return [
      '$ORIGIN univ-a.example.',
      '$TTL 60',
      '@ IN SOA ns.univ-a.example. hostmaster.univ-a.example. 1 3600 600 86400 60',
      '@ IN NS ns.univ-a.example.',
      'ns IN A 127.0.0.1',
      ...records,
    ].join('\n');
  }

  it('refuses eduroam declarations before activation, with the reason', async () => {
    const r = await gql(
      tok.technical!,
      `mutation($i: ID!) { r: declareEduroamServer(input: { institutionId: $i, name: "x", address: "127.0.0.2" }) { ${ERR} ... on PolicyRefusalError { rule } } }`,
      { i: inst },
    );
    expect(r).toMatchObject({ __typename: 'PolicyRefusalError', rule: 'eduroam.not-active' });
  });

  it('activates eduroam: the head signs the charter (policy and hash kept), the desk validates', async () => {
    const filed = await gql(
      tok.technical!,
      `mutation($i: ID!, $c: ID!) { r: requestEduroamActivation(input: { institutionId: $i, eduroamContactId: $c }) { ${ERR} ... on RequestEduroamActivationPayload { request { id kind currentStep pendingActor document { text hash } } } } }`,
      { i: inst, c: tok.eduroamContactId },
    );
    expect(filed.request).toMatchObject({
      kind: 'membership.agreementChange',
      currentStep: 'signature',
      pendingActor: 'HEAD',
    });
    expect(filed.request.document.text).toContain('4. Charte eduroam (eduroam charter)');
    const signed = await gql(
      tok.head!,
      `mutation($id: ID!, $h: String!) { r: signRequest(input: { requestId: $id, documentHash: $h }) { ${ERR} ... on SignRequestPayload { request { currentStep } } } }`,
      { id: filed.request.id, h: filed.request.document.hash },
    );
    expect(signed.request.currentStep).toBe('validation');
    const done = await gql(
      tok.desk!,
      `mutation($id: ID!) { r: approveRequestStep(input: { requestId: $id, step: "validation" }) { ${ERR} ... on ApproveRequestStepPayload { request { status } } } }`,
      { id: filed.request.id },
    );
    expect(done.request.status).toBe('COMPLETED');
    const e = await gql(
      tok.technical!,
      'query($i: ID!) { r: institution(id: $i) { eduroam { active charter { policy documentHash signedByName eduroamContact { id } } } } }',
      { i: inst },
    );
    expect(e.eduroam).toMatchObject({
      active: true,
      charter: {
        policy: expect.stringMatching(/eduroam Policy Service Definition/),
        documentHash: filed.request.document.hash,
        eduroamContact: { id: tok.eduroamContactId },
      },
    });
  });

  it('proves the realm by TXT, declares the server (secret shown once) and a site', async () => {
    const proof = (
      await gql(
        tok.technical!,
        'query($i: ID!) { r: institution(id: $i) { eduroam { realmProof(realm: "univ-a.example") { name value } } } }',
        { i: inst },
      )
    ).eduroam.realmProof;
    await knot.replaceZone({
      name: 'univ-a.example',
      text: zone([`${proof.name}. IN TXT "${proof.value}"`]),
    });
    const filed = await gql(
      tok.technical!,
      `mutation($i: ID!) { r: requestEduroamRealm(input: { institutionId: $i, realm: "univ-a.example" }) { ${ERR} ... on RequestEduroamRealmPayload { request { id } } } }`,
      { i: inst },
    );
    const declared = await gql(
      tok.technical!,
      `mutation($i: ID!) { r: declareEduroamServer(input: { institutionId: $i, name: "radius.univ-a.example", address: "127.0.0.2", port: ${await freeUdpPortPair('127.0.0.2')} }) { ${ERR} ... on DeclareEduroamServerPayload { secret server { id port probeState } } } }`,
      { i: inst },
    );
    secret = declared.secret;
    serverId = declared.server.id;
    expect(secret).toMatch(/^[A-Za-z0-9]{48}$/);
    // Never again: not in the server type, not in the change log.
    const again = await t.gql(
      'query($id: ID!) { r: eduroamServer(id: $id) { secret } }',
      { id: serverId },
      tok.technical,
    );
    expect(again.body.errors?.[0]?.message).toMatch(/Cannot query field "secret"/);
    expect(JSON.stringify(await database.db.select().from(auditChanges))).not.toContain(secret);
    const site = await gql(
      tok.technical!,
      `mutation($i: ID!) { r: declareEduroamSite(institutionId: $i, input: { name: [{ lang: "en", data: "Saclay lab" }, { lang: "fr", data: "Laboratoire de Saclay" }], street: [{ lang: "en", data: "Plateau de Saclay" }], city: [{ lang: "en", data: "Gif-sur-Yvette" }], coordinates: { lon: 2.1667, lat: 48.7 }, encryption: [WPA2_AES, WPA3_AES], tags: [IPV6], accessPoints: 12 }) { ${ERR} ... on EduroamSitePayload { site { locationId } } } }`,
      { i: inst },
    );
    expect(site.site.locationId).toMatch(/^[0-9a-f]{32}$/);
    const tkip = await gql(
      tok.technical!,
      `mutation($i: ID!) { r: declareEduroamSite(institutionId: $i, input: { name: [{ lang: "en", data: "x" }], street: [{ lang: "en", data: "x" }], city: [{ lang: "en", data: "x" }], coordinates: { lon: 2.1, lat: 48.7 }, encryption: [WPA2_TKIP], accessPoints: 1 }) { ${ERR} ... on PolicyRefusalError { rule } } }`,
      { i: inst },
    );
    expect(tkip).toMatchObject({ rule: 'eduroam.encryption' });
    await until(
      'the realm request to complete',
      async () => {
        const r = await gql(tok.technical!, 'query($id: ID!) { r: request(id: $id) { status reason } }', {
          id: filed.request.id,
        });
        expect(r.status).not.toBe('FAILED');
        return r.status === 'COMPLETED' ? r : undefined;
      },
      60_000,
    );
  }, 90_000);

  it('deploys a proxy configuration that passed freeradius -XC and routes alice to her institution', async () => {
    const port = (
      await gql(tok.technical!, 'query($id: ID!) { r: eduroamServer(id: $id) { port } }', { id: serverId })
    ).port;
    home = await startRadius({
      address: '127.0.0.2',
      authPort: port,
      clients: `client national_proxy {\n\tipaddr = 127.0.0.1\n\tsecret = ${secret}\n\trequire_message_authenticator = yes\n}\n`,
      users:
        '"alice@univ-a.example" Cleartext-Password := "alicepw"\n\tReply-Message := "Hello from the institution"',
    });
    // The declaration queued the publication; wait until the deployed release routes the realm.
    const deployed = await until(
      'a deployed publication with the realm and the server',
      async () => {
        const p = await gql(
          tok.noc!,
          '{ r: eduroamProxy { deployedHash publications { status realms servers checkMs errors } } }',
        );
        return p.publications.find(
          (x: { status: string; realms: number; servers: number }) =>
            x.status === 'deployed' && x.realms === 1 && x.servers === 1,
        );
      },
      60_000,
    );
    expect(deployed.errors).toEqual([]);
    await until('the proxy to run', async () => (proxy ? true : undefined));
    const asInstitution = new RadiusClient({ bind4: '127.0.0.2' });
    try {
      const ask = (messageAuthenticator: boolean) =>
        asInstitution.exchange({
          host: '127.0.0.1',
          port: proxyPort,
          secret,
          code: 'Access-Request',
          messageAuthenticator,
          attributes: {
            'User-Name': 'alice@univ-a.example',
            'User-Password': 'alicepw',
            'NAS-IP-Address': '127.0.0.2',
          },
          timeoutMs: 3000,
          attempts: 1,
        });
      const mark = home.logMark();
      const x = await until('alice to get through', () => ask(true).catch(() => undefined), 20_000);
      expect(x.reply.code).toBe('Access-Accept');
      expect(home.logSince(mark)).toContain('User-Name = "alice@univ-a.example"');
      const pmark = proxy!.logMark();
      await expect(ask(false)).rejects.toBeInstanceOf(RadiusTimeout);
      expect(proxy!.logSince(pmark)).toMatch(/does not contain required Message-Authenticator/);
    } finally {
      asInstitution.close();
    }
  }, 90_000);

  it('records the server up from a Status-Server probe, then opens a ticket after three failures', async () => {
    const probe = async () => {
      const before = (
        await gql(
          tok.technical!,
          'query($id: ID!) { r: eduroamServer(id: $id) { probes(last: 1) { at } } }',
          { id: serverId },
        )
      ).probes[0]?.at;
      await gql(
        tok.technical!,
        `mutation($id: ID!) { r: probeEduroamServer(id: $id) { ${ERR} ... on EduroamServerPayload { server { id } } } }`,
        { id: serverId },
      );
      return until('the probe to be recorded', async () => {
        const s = await gql(
          tok.technical!,
          'query($id: ID!) { r: eduroamServer(id: $id) { probeState lastRttMs consecutiveFailures lastError probes(last: 1) { at ok rttMs outcome } outage { id kind status } } }',
          { id: serverId },
        );
        return s.probes[0] && s.probes[0].at !== before ? s : undefined;
      });
    };
    const up = await probe();
    expect(up).toMatchObject({ probeState: 'UP', probes: [{ ok: true, outcome: 'ok' }] });
    expect(up.lastRttMs).toBeGreaterThan(0);
    await home!.stop();
    home = undefined;
    let s = await probe();
    for (let i = 0; i < 5 && s.consecutiveFailures < 3; i++) s = await probe();
    expect(s).toMatchObject({
      probeState: 'DOWN',
      lastError: expect.stringMatching(/^down or wrong secret/),
    });
    const outage = await until('the outage request', async () => {
      const v = await gql(
        tok.technical!,
        'query($id: ID!) { r: eduroamServer(id: $id) { outage { id kind status } } }',
        { id: serverId },
      );
      return v.outage ?? undefined;
    });
    expect(outage).toMatchObject({ kind: SERVER_DOWN, status: 'IN_PROGRESS' });
    const [ticket] = await database.db.select().from(tickets).where(eq(tickets.requestId, outage.id));
    expect(ticket).toMatchObject({ queue: 'eduroam', institutionId: inst });
  }, 60_000);

  it('exports the site in the eduroam database v2 format, valid against the schema', async () => {
    const full = await gql(tok.noc!, '{ r: eduroamExport(view: FULL) { institutionJson roJson } }');
    const institutionJson = JSON.parse(full.institutionJson);
    expect(validateInstitutionJson(institutionJson)).toBe(true);
    expect(validateRoJson(JSON.parse(full.roJson))).toBe(true);
    const mine = institutionJson.institutions.institution.find((i: { inst_realm?: string[] }) =>
      i.inst_realm?.includes('univ-a.example'),
    );
    expect(mine).toMatchObject({
      type: 'IdP+SP',
      location: [{ SSID: 'eduroam', enc_level: 'WPA2/AES,WPA3/AES', AP_no: 12, coordinates: '2.1667,48.7' }],
    });
    // FULL is the operator's: a contact gets the public view only.
    const refused = await t.gql('{ r: eduroamExport(view: FULL) { roJson } }', {}, tok.technical);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(t.crashes()).toEqual([]);
  });
});
