import type { RequestContext } from '@guichet/core';
import { declareServer, declareSite, eduroamLine, reserveRealm } from '@guichet/eduroam';
import { type ComposedEnv, createEnv } from '@guichet/workflow';
import type { Case } from './cases.js';
import type { Cast } from './fixtures.js';
import { CONTACTS_A, type ROLES, STAFF } from './fixtures.js';
import { nextNumber } from './ipam-fixtures.js';

/**
 * Rules for the eduroam root fields (see cases.ts for the vocabulary). Institution A of the cast
 * (the first demo institution) has eduroam open. Fixtures are made through the services as the
 * desk, with an env of their own (the calls under test go through the app's).
 */

type Role = (typeof ROLES)[number];
const only =
  (allowed: readonly Role[], otherwise: 'deny' | 'hidden' = 'deny', hidden: readonly Role[] = []) =>
  (role: Role) =>
    allowed.includes(role) ? ('allow' as const) : hidden.includes(role) ? ('hidden' as const) : otherwise;

const R = '__typename ... on Error { code }';
/** Declarations: the institution's technical contact, or the desk (admin stands in for both). */
const filers = only(['technical', 'desk', 'admin'], 'deny', ['technicalB']);
/** Operations on servers and realms: the filers, or the NOC. */
const operators = only(['technical', 'desk', 'admin', 'noc'], 'deny', ['technicalB']);
const readersOfA = only([...CONTACTS_A, ...STAFF], 'deny', ['technicalB']);

const envs = new WeakMap<Cast, ComposedEnv>();
const envOf = (c: Cast) => {
  let e = envs.get(c);
  if (!e) {
    e = createEnv({
      database: c.database,
      lines: [eduroamLine],
      vars: { EDUROAM_ALLOW_PRIVATE_SERVERS: 'true' },
    });
    envs.set(c, e);
  }
  return e;
};
const desk = (c: Cast): RequestContext => c.desk;

/** A fresh server of institution A on an address no other call used. */
async function freshServerA(c: Cast): Promise<string> {
  const n = nextNumber();
  const { server } = await declareServer(envOf(c), desk(c), {
    institutionId: c.institutionA,
    name: `radius${n}.matrix.example`,
    address: `198.51.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`,
  });
  return server.id;
}

const SITE = {
  name: [{ lang: 'en', data: 'Matrix site' }],
  street: [{ lang: 'en', data: '1 rue' }],
  city: [{ lang: 'en', data: 'Lyon' }],
  coordinates: { lon: 4.83, lat: 45.76 },
  encryption: ['WPA2/AES'],
  accessPoints: 1,
};
const SITE_GQL = `{ name: [{ lang: "en", data: "Matrix site" }], street: [{ lang: "en", data: "1 rue" }], city: [{ lang: "en", data: "Lyon" }], coordinates: { lon: 4.83, lat: 45.76 }, encryption: [WPA2_AES], accessPoints: 2 }`;

async function freshSiteA(c: Cast): Promise<string> {
  return (
    await declareSite(c.database.db, envOf(c).line('eduroam'), desk(c), {
      institutionId: c.institutionA,
      ...SITE,
    })
  ).id;
}

async function freshRealmA(c: Cast): Promise<string> {
  const realm = `r${nextNumber()}.matrix-a.example`;
  const row = await c.database.db.transaction((tx) =>
    reserveRealm(tx, desk(c), { institutionId: c.institutionA, realm, subrealms: false }, null),
  );
  return row.id;
}

const once = <T>(make: (c: Cast) => Promise<T>) => {
  const made = new WeakMap<Cast, Promise<T>>();
  return (c: Cast) => {
    let p = made.get(c);
    if (!p) {
      p = make(c);
      made.set(c, p);
    }
    return p;
  };
};
const serverA = once(freshServerA);
const siteA = once(freshSiteA);

const byId = (field: string, fresh: (c: Cast) => Promise<string>, select = R) => ({
  call: async (c: Cast) => ({
    query: `mutation($id: ID!) { r: ${field}(id: $id) { ${select} } }`,
    variables: { id: await fresh(c) },
  }),
});

export const EDUROAM_CASES: Record<string, Case> = {
  'Query.eduroamServer': {
    call: async (c) => ({
      query: 'query($id: ID!) { r: eduroamServer(id: $id) { id probeState } }',
      variables: { id: await serverA(c) },
    }),
    expect: readersOfA,
  },
  'Query.eduroamSite': {
    call: async (c) => ({
      query: 'query($id: ID!) { r: eduroamSite(id: $id) { id locationId } }',
      variables: { id: await siteA(c) },
    }),
    expect: readersOfA,
  },
  'Query.eduroamServers': {
    call: () => ({ query: '{ r: eduroamServers(probeState: DOWN) { id } }' }),
    expect: only(STAFF),
  },
  'Query.eduroamProxy': {
    call: () => ({ query: '{ r: eduroamProxy { deployedHash publications { status } } }' }),
    expect: only(STAFF),
  },
  'Query.eduroamExport': {
    // The public view: what anyone may read (private contacts left out).
    call: () => ({ query: '{ r: eduroamExport { roJson } }' }),
    expect: () => 'allow',
  },
  'Mutation.requestEduroamActivation': {
    // A already has eduroam with its demo eduroam contact: an allowed caller gets a ConflictError.
    call: (c) => ({
      query: `mutation($i: ID!, $c: ID!) { r: requestEduroamActivation(input: { institutionId: $i, eduroamContactId: $c, submit: false }) { ${R} } }`,
      variables: { i: c.institutionA, c: c.contactIdOf('eduroam') },
    }),
    expect: only(['technical', 'desk', 'admin']),
  },
  'Mutation.requestEduroamRealm': {
    call: (c) => ({
      query: `mutation($i: ID!, $r: String!) { r: requestEduroamRealm(input: { institutionId: $i, realm: $r, submit: false }) { ${R} } }`,
      variables: { i: c.institutionA, r: `d${nextNumber()}.matrix-a.example` },
    }),
    expect: only(['technical', 'desk', 'admin']),
  },
  'Mutation.declareEduroamServer': {
    call: (c) => {
      const n = nextNumber();
      return {
        query: `mutation($i: ID!, $a: IPAddress!) { r: declareEduroamServer(input: { institutionId: $i, name: "x.matrix.example", address: $a }) { ${R} ... on DeclareEduroamServerPayload { server { id } } } }`,
        variables: { i: c.institutionA, a: `203.0.${Math.floor(n / 250) % 250}.${(n % 250) + 1}` },
      };
    },
    expect: filers,
  },
  // A shared server: a second rotation is a (typed) conflict, which still shows the caller got past authorisation.
  'Mutation.rotateEduroamServerSecret': { ...byId('rotateEduroamServerSecret', serverA), expect: operators },
  'Mutation.confirmEduroamSecretRotation': {
    ...byId('confirmEduroamSecretRotation', serverA),
    expect: operators,
  },
  'Mutation.removeEduroamServer': { ...byId('removeEduroamServer', freshServerA), expect: operators },
  'Mutation.probeEduroamServer': { ...byId('probeEduroamServer', serverA), expect: operators },
  'Mutation.removeEduroamRealm': { ...byId('removeEduroamRealm', freshRealmA), expect: operators },
  'Mutation.declareEduroamSite': {
    call: (c) => ({
      query: `mutation($i: ID!) { r: declareEduroamSite(institutionId: $i, input: ${SITE_GQL}) { ${R} } }`,
      variables: { i: c.institutionA },
    }),
    expect: filers,
  },
  'Mutation.declareEduroamSites': {
    call: (c) => ({
      query: `mutation($i: ID!) { r: declareEduroamSites(input: { dryRun: true, items: [{ input: { institutionId: $i, site: ${SITE_GQL} } }] }) { ... on DeclareEduroamSitesPayload { results { ${R} } } } }`,
      variables: { i: c.institutionA },
    }),
    // Each item as declareEduroamSite (B's contact meets A's institution as not found).
    expect: filers,
    item: true,
  },
  'Mutation.updateEduroamSite': {
    call: async (c) => ({
      query: `mutation($id: ID!) { r: updateEduroamSite(id: $id, input: ${SITE_GQL}) { ${R} } }`,
      variables: { id: await siteA(c) },
    }),
    expect: filers,
  },
  'Mutation.removeEduroamSite': { ...byId('removeEduroamSite', freshSiteA), expect: filers },
  'Mutation.updateEduroamProfile': {
    call: (c) => ({
      query: `mutation($i: ID!) { r: updateEduroamProfile(input: { institutionId: $i, venue: "3,3" }) { ${R} } }`,
      variables: { i: c.institutionA },
    }),
    expect: filers,
  },
  'Mutation.publishEduroamProxy': {
    call: () => ({ query: `mutation { r: publishEduroamProxy { ${R} } }` }),
    expect: only(['noc', 'admin']),
  },
};
