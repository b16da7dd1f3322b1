import { auditChanges } from '@guichet/audit';
import { ConflictError, PolicyRefusalError, ValidationError } from '@guichet/core';
import { count, eq, sql } from '@guichet/db';
import { isServiceOpen } from '@guichet/membership';
import { until } from '@guichet/testkit';
import { fileRequest, getRequest, requests, resubmitRequest } from '@guichet/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportEduroam, validateInstitutionJson, validateRoJson } from '../export/index.js';
import { realms, secrets, servers, sites } from '../tables.js';
import { startWorld, type World } from '../test/world.js';
import { REALM_REQUEST } from '../workflow.js';
import { charterOf, requestActivation } from './activation.js';
import { realmProof } from './realms.js';
import { declareServer, rotateSecret } from './servers.js';
import { declareSite, updateSite } from './sites.js';

const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';

const refused = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );

const SITE = {
  name: [
    { lang: 'en', data: 'Main campus' },
    { lang: 'fr', data: 'Campus principal' },
  ],
  street: [{ lang: 'en', data: '1 rue de la Paix' }],
  city: [{ lang: 'en', data: 'Lyon' }],
  coordinates: { lon: 4.8357, lat: 45.764 },
  encryption: ['WPA2/AES'],
  tags: ['IPv6', 'port_restrict'],
  accessPoints: 40,
};

describe(`eduroam declarations on ${engine}`, () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  }, 120_000);
  afterAll(async () => {
    await w?.stop();
  });
  const rows = async () => ({
    realms: Number((await w.database.db.select({ n: count() }).from(realms))[0]?.n),
    servers: Number((await w.database.db.select({ n: count() }).from(servers))[0]?.n),
    sites: Number((await w.database.db.select({ n: count() }).from(sites))[0]?.n),
    requests: Number((await w.database.db.select({ n: count() }).from(requests))[0]?.n),
  });

  it('refuses every eduroam declaration before eduroam is active, saying why, and writes nothing', async () => {
    const before = await rows();
    const { db } = w.database;
    const server = await refused(
      declareServer(w.env, w.a.tech, { institutionId: w.a.id, name: 'radius1', address: '127.0.0.2' }),
    );
    const site = await refused(declareSite(db, w.rt, w.a.tech, { institutionId: w.a.id, ...SITE }));
    const realm = await refused(
      fileRequest(db, w.a.tech, w.env, {
        kind: REALM_REQUEST,
        institutionId: w.a.id,
        payload: { realm: 'univ-a.example' },
      }),
    );
    for (const e of [server, site, realm]) {
      expect(e).toBeInstanceOf(PolicyRefusalError);
      expect(e).toMatchObject({
        rule: 'eduroam.not-active',
        message: expect.stringMatching(/requestEduroamActivation/),
      });
    }
    expect(await rows()).toEqual(before);
  });

  it('activates eduroam through a signed agreement change that names the eduroam contact and policy', async () => {
    const { db } = w.database;
    const done = await w.activate(w.a);
    expect(done.status).toBe('completed');
    expect(await isServiceOpen(db, w.a.id, 'eduroam')).toBe(true);
    const charter = await charterOf(db, w.a.id);
    expect(charter).toMatchObject({
      policy: w.rt.config.EDUROAM_POLICY_VERSION,
      eduroamContactId: w.a.eduroamContactId,
      signedByName: 'Hélène Head',
      documentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const [v] = await db
      .execute<{ signed_document: string }>(
        sql`SELECT signed_document FROM membership_agreement_versions WHERE id = ${charter?.agreementVersionId}`,
      )
      .then((r) => (Array.isArray(r) ? r : (r as unknown as { rows: { signed_document: string }[] }).rows));
    expect(v?.signed_document).toContain(`Policy: ${w.rt.config.EDUROAM_POLICY_VERSION}`);
    expect(v?.signed_document).toContain('eduroam contact: Eva Roam <eva.roam@univ-a.example>');
    // Asking again for the same terms is refused.
    expect(
      await refused(
        requestActivation(w.env, w.a.tech, {
          institutionId: w.a.id,
          eduroamContactId: w.a.eduroamContactId,
        }),
      ),
    ).toBeInstanceOf(ConflictError);
    await w.activate(w.b);
  }, 60_000);

  it('proves a realm by its DNS TXT record: returned with the record to publish, then completed', async () => {
    const { db } = w.database;
    const filed = await fileRequest(db, w.a.tech, w.env, {
      kind: REALM_REQUEST,
      institutionId: w.a.id,
      payload: { realm: 'Univ-A.Example' },
    });
    const returned = await until('the proof to be looked for', async () => {
      const r = await getRequest(db, w.a.tech, filed.id);
      return r.status === 'returned' ? r : undefined;
    });
    const proof = realmProof(w.rt, w.a.id, 'univ-a.example');
    expect(proof.name).toBe('_eduroam-guichet.univ-a.example');
    expect(returned.reason).toContain(`publish _eduroam-guichet.univ-a.example TXT "${proof.value}"`);
    // Someone else's token does not count.
    const other = realmProof(w.rt, w.b.id, 'univ-a.example');
    await w.zone('univ-a.example', [`_eduroam-guichet IN TXT "${other.value}"`]);
    await resubmitRequest(db, w.a.tech, w.env, { requestId: filed.id });
    const again = await until('the second look', async () => {
      const r = await getRequest(db, w.a.tech, filed.id);
      return r.status === 'returned' && r.revision > returned.revision ? r : undefined;
    });
    expect(again.reason).toMatch(/not the value for this institution/);
    await w.zone('univ-a.example', [`_eduroam-guichet IN TXT "${proof.value}"`]);
    await resubmitRequest(db, w.a.tech, w.env, { requestId: filed.id });
    await until('the realm request to complete', async () =>
      (await getRequest(db, w.a.tech, filed.id)).status === 'completed' ? true : undefined,
    );
    // Each pass reserved the realm again (a return frees it): one live row, two released ones.
    const byRequest = await db.select().from(realms).where(eq(realms.requestId, filed.id));
    expect(byRequest.map((r) => r.state).sort()).toEqual(['active', 'removed', 'removed']);
    const row = byRequest.find((r) => r.state === 'active');
    expect(row).toMatchObject({
      realm: 'univ-a.example',
      state: 'active',
      subrealms: true,
      proof: { name: proof.name, value: proof.value },
    });
  }, 60_000);

  it('refuses overlapping and look-alike realms, naming the realm in the way, and files nothing', async () => {
    const { db } = w.database;
    const before = await rows();
    const ask = (m: typeof w.a, realm: string, subrealms = true) =>
      refused(
        fileRequest(db, m.tech, w.env, {
          kind: REALM_REQUEST,
          institutionId: m.id,
          payload: { realm, subrealms },
        }),
      );
    const cases: [typeof w.a, string, string, RegExp][] = [
      [
        w.b,
        'univ-a.example',
        'eduroam.realm-overlap',
        /univ-a\.example is the realm univ-a\.example .*Université A/,
      ],
      [
        w.b,
        'staff.univ-a.example',
        'eduroam.realm-overlap',
        /is covered by the realm univ-a\.example \(with its subrealms\) held by Université A/,
      ],
      [w.b, 'example', 'eduroam.realm-overlap', /./],
      [w.a, 'lab.univ-a.example', 'eduroam.realm-overlap', /your institution already/],
      [
        w.b,
        'univ-a.exarnple',
        'eduroam.realm-lookalike',
        /looks like the realm univ-a\.example of Université A/,
      ],
      [w.b, 'xn--univ--8ve.example', 'eduroam.realm-lookalike', /looks like/],
    ];
    for (const [m, realm, rule, message] of cases) {
      const e = await ask(m, realm);
      if (e instanceof ValidationError) {
        expect(realm).toBe('example');
        continue;
      }
      expect(e, realm).toMatchObject({ rule, message: expect.stringMatching(message) });
    }
    expect(await rows()).toEqual(before);
  });

  it('lets one of two institutions racing for the same realm have it — the constraint decides', async () => {
    const { db } = w.database;
    const race = await Promise.allSettled(
      [w.a, w.b].map((m) =>
        fileRequest(db, m.tech, w.env, {
          kind: REALM_REQUEST,
          institutionId: m.id,
          payload: { realm: 'univ-c.example' },
        }),
      ),
    );
    expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = race.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ rule: 'eduroam.realm-overlap' });
    const live = await db
      .select()
      .from(realms)
      .where(sql`${realms.realm} = 'univ-c.example' AND ${realms.state} <> 'removed'`);
    expect(live).toHaveLength(1);
  });

  it('generates the server secret, shows it once, keeps it sealed and out of every record', async () => {
    const { db } = w.database;
    const { server, secret } = await declareServer(w.env, w.a.tech, {
      institutionId: w.a.id,
      name: 'radius1.univ-a.example',
      address: '127.0.0.2',
      port: 1812,
    });
    expect(secret).toMatch(/^[A-Za-z0-9]{48}$/);
    const stored = await db.select().from(secrets).where(eq(secrets.serverId, server.id));
    expect(stored).toHaveLength(1);
    expect(stored[0]?.sealed).not.toContain(secret);
    const everywhere = JSON.stringify([
      await db.select().from(auditChanges),
      await db.select().from(requests),
      await db.select().from(servers),
    ]);
    expect(everywhere).not.toContain(secret);
    const dup = await refused(
      declareServer(w.env, w.b.tech, { institutionId: w.b.id, name: 'x', address: '127.0.0.2' }),
    );
    expect(dup).toBeInstanceOf(ConflictError);
    const other = await declareServer(w.env, w.b.tech, {
      institutionId: w.b.id,
      name: 'radius.univ-b.example',
      address: '127.0.0.3',
    });
    expect(other.secret).not.toBe(secret);
    const priv = await refused(
      declareServer(
        {
          ...w.env,
          line: (() => ({
            ...w.rt,
            config: { ...w.rt.config, EDUROAM_ALLOW_PRIVATE_SERVERS: false },
          })) as never,
        },
        w.b.tech,
        { institutionId: w.b.id, name: 'x', address: '10.1.2.3' },
      ),
    );
    expect(priv).toMatchObject({ rule: 'eduroam.server-address' });
    // Another institution's contact, and a read-only token, may not declare for A.
    expect(
      await refused(
        declareServer(w.env, w.b.tech, { institutionId: w.a.id, name: 'x', address: '127.0.0.9' }),
      ),
    ).toMatchObject({ code: 'NOT_FOUND' });
    expect(
      await refused(
        declareServer(w.env, w.a.techRead, { institutionId: w.a.id, name: 'x', address: '127.0.0.9' }),
      ),
    ).toMatchObject({ code: 'FORBIDDEN' });
    // Rotation: a second secret valid alongside the first until the overlap ends; one at a time.
    const r = await rotateSecret(w.env, w.a.tech, server.id);
    expect(r.secret).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(r.secret).not.toBe(secret);
    expect(r.validUntil.getTime() - Date.now()).toBeGreaterThan(167 * 3600_000);
    const live = await db.select().from(secrets).where(eq(secrets.serverId, server.id));
    expect(live.map((s) => s.status).sort()).toEqual(['current', 'next']);
    expect(await refused(rotateSecret(w.env, w.a.tech, server.id))).toBeInstanceOf(ConflictError);
  });

  it('declares a site only as eduroam allows it: SSID, AES, tags, access points, inside the country, English', async () => {
    const { db } = w.database;
    const before = await rows();
    const bad: [Record<string, unknown>, string][] = [
      [{ ssid: 'Eduroam' }, 'eduroam.ssid'],
      [{ encryption: ['WPA2/AES', 'WPA2/TKIP'] }, 'eduroam.encryption'],
      [{ encryption: ['WPA/AES'] }, 'eduroam.encryption'],
      [{ accessPoints: 0 }, 'eduroam.access-points'],
      [{ coordinates: { lon: 45.764, lat: 4.8357 } }, 'eduroam.outside-country'],
    ];
    for (const [over, rule] of bad) {
      const e = await refused(declareSite(db, w.rt, w.a.tech, { institutionId: w.a.id, ...SITE, ...over }));
      expect(e, rule).toMatchObject({ rule });
    }
    const shapes: [Record<string, unknown>, (string | number)[]][] = [
      [{ name: [{ lang: 'fr', data: 'Campus' }] }, ['input', 'name']],
      [{ tags: ['captive_portal'] }, ['input', 'tags', 0]],
      [{ accessPoints: 2.5 }, ['input', 'accessPoints']],
      [{ contact: { name: 'X', email: 'not-an-email', phone: '+33 1 00' } }, ['input', 'contact', 'email']],
    ];
    for (const [over, path] of shapes) {
      const e = await refused(declareSite(db, w.rt, w.a.tech, { institutionId: w.a.id, ...SITE, ...over }));
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).issues[0]?.path).toEqual(path);
    }
    expect(await rows()).toEqual(before);
    const site = await declareSite(db, w.rt, w.a.tech, {
      institutionId: w.a.id,
      ...SITE,
      encryption: ['WPA3/AES', 'WPA2/AES'],
    });
    expect(site).toMatchObject({
      ssid: 'eduroam',
      encryption: ['WPA2/AES', 'WPA3/AES'],
      tags: ['IPv6', 'port_restrict'],
      accessPoints: 40,
    });
    const updated = await updateSite(db, w.rt, w.a.tech, site.id, { ...SITE, accessPoints: 41 });
    expect(updated).toMatchObject({ id: site.id, accessPoints: 41 });
  });

  it('exports what was declared in the eduroam database v2 format, valid against the schema', async () => {
    const full = await exportEduroam(w.database.db, w.rt, 'full');
    const a = full.institutionJson.institutions.institution.find((i) =>
      i.inst_realm?.includes('univ-a.example'),
    );
    expect(a).toMatchObject({
      type: 'IdP+SP',
      ROid: 'fr01',
      server: [{ server_name: 'radius1.univ-a.example', server_type: 0 }],
    });
    expect(a?.location?.[0]).toMatchObject({
      SSID: 'eduroam',
      AP_no: 41,
      coordinates: '4.8357,45.764',
      enc_level: 'WPA2/AES',
    });
    expect(JSON.stringify(full)).toContain('eva.roam@univ-a.example');
    const pub = await exportEduroam(w.database.db, w.rt, 'public');
    expect(JSON.stringify(pub)).not.toContain('eva.roam@');
    expect(validateInstitutionJson(pub.institutionJson)).toBe(true);
    expect(validateRoJson(pub.roJson)).toBe(true);
  });
});
