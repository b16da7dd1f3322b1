import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemo } from './demo.js';
import { testApp } from './test-app.js';

/**
 * The README's "Your first five minutes", run as written: every GraphQL document of that
 * section, taken from README.md itself, in order, against a fresh demo (`ensureDemo`, as `pnpm
 * start` does) — nothing created by hand first. The variables are the ones the README says to
 * copy from the earlier answers; the values the README promises (the /48, its zone) are checked.
 */

const README = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');

interface Block {
  lang: string;
  text: string;
}

function section(): Block[] {
  const start = README.indexOf('## Your first five minutes');
  const end = README.indexOf('\n## ', start + 10);
  const body = README.slice(start, end);
  return [...body.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, text: m[2]! }));
}

/** Operation name → document; and each operation's README variables (keys), when shown. */
function documents(): { docs: Map<string, string>; shownVariables: Map<string, string[]> } {
  const docs = new Map<string, string>();
  const shownVariables = new Map<string, string[]>();
  let last: string | undefined;
  for (const b of section()) {
    if (b.lang === 'graphql') {
      const op = parse(b.text).definitions[0];
      const name = op && 'name' in op ? op.name?.value : undefined;
      if (!name) throw new Error(`a README document has no operation name:\n${b.text}`);
      docs.set(name, b.text);
      last = name;
    } else if (b.lang === 'json' && last) {
      shownVariables.set(last, Object.keys(JSON.parse(b.text)));
    }
  }
  return { docs, shownVariables };
}

const { docs, shownVariables } = documents();
// biome-ignore lint/suspicious/noExplicitAny: GraphQL answers, read by the assertions below
type Answer = any;
const declared = (name: string) =>
  [...docs.get(name)!.matchAll(/\$(\w+):/g)].map((m) => m[1]!).filter((v, i, a) => a.indexOf(v) === i);

describe(`the README's first five minutes against the demo (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Database;
  let t: Awaited<ReturnType<typeof testApp>>;
  let admin: string;
  const ran = new Set<string>();

  beforeAll(async () => {
    database = await freshDatabase();
    // As the README's federation variant: the proxy on 127.0.0.1 (where inject's requests come from).
    t = await testApp(database, { FEDERATION_TRUSTED_PROXIES: '127.0.0.1' }, { jobs: true });
    admin = (await ensureDemo(t.env, new Date())).token;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });

  async function run<T = Answer>(name: string, variables: Record<string, unknown>, token: string) {
    const doc = docs.get(name);
    if (!doc) throw new Error(`README has no document ${name}`);
    // The README shows the variables to give: the same names as the document declares.
    if (shownVariables.has(name))
      expect(shownVariables.get(name)!.sort(), name).toEqual(declared(name).sort());
    expect(Object.keys(variables).sort(), name).toEqual(declared(name).sort());
    const res = await t.gql(doc, variables, token);
    expect(res.body.errors, `${name}: ${JSON.stringify(res.body.errors)}`).toBeUndefined();
    ran.add(name);
    return res.body.data as T;
  }

  async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
    for (let i = 0; i < 300; i++) {
      const v = await probe();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${what}: not reached`);
  }

  it('ipam, routing and rdns flows run end to end from the README, in order', async () => {
    const who = await run('Institutions', {}, admin);
    const udl = who.institutions.edges
      .map((e: Answer) => e.node)
      .find((n: Answer) => n.shortName === 'UDL-EX');
    const [site] = udl.sites;
    const [tech] = udl.contacts;
    expect(tech.eppn).toBe('julien.bernard@univ-lyon-example.fr');

    const first = await run('FirstToken', { contactId: tech.id }, admin);
    expect(first.issueContactToken.__typename).toBe('IssueContactTokenPayload');
    const token: string = first.issueContactToken.secret;
    // The federation path the README shows: the contact's eppn from a trusted proxy.
    const federated = await t.gql('{ viewer { kind name } }', {}, undefined, { eppn: tech.eppn });
    expect(federated.body.data.viewer).toEqual({ kind: 'CONTACT', name: tech.name });
    expect(README).toContain(`-H 'eppn: ${tech.eppn}'`);

    // ipam
    const asked = await run('RequestPrefix', { institutionId: udl.id, siteId: site.id }, token);
    expect(asked.requestPrefix.__typename, JSON.stringify(asked)).toBe('RequestPrefixPayload');
    const prefixRequest = asked.requestPrefix.request.id;
    const done = await until(async () => {
      const r = (await run('PrefixRequest', { id: prefixRequest }, token)).request;
      return r.status === 'IN_PROGRESS' ? undefined : r;
    }, 'prefix request settled');
    expect(done).toMatchObject({
      status: 'COMPLETED',
      assignment: {
        prefix: '2001:660::/48',
        lifecycle: 'ACTIVE',
        reverseZones: ['0.0.0.0.0.6.6.0.1.0.0.2.ip6.arpa'],
      },
    });
    expect(done.assignment.rpsl).toMatch(/^inet6num:\s+2001:660::\/48$/m);
    expect(done.assignment.rpsl).toMatch(/^mnt-by:\s+GUICHET-DEMO-MNT$/m);
    const prefix: string = done.assignment.prefix;

    // routing
    const { collectors } = await run('Collectors', {}, token);
    const aura = collectors.find((c: Answer) => c.name === 'AURA');
    expect(aura.region).toBe('Auvergne-Rhône-Alpes');
    const announced = await run('Announce', { institutionId: udl.id, collectorId: aura.id, prefix }, token);
    expect(announced.requestRoutingChange, JSON.stringify(announced)).toMatchObject({
      __typename: 'RequestRoutingChangePayload',
      request: { status: 'IN_PROGRESS' },
    });
    // The deploy step is a background job: the request completes a moment later.
    const routed = await until(async () => {
      const r = (await run('RoutingRequest', { id: announced.requestRoutingChange.request.id }, token))
        .request;
      return r.status === 'IN_PROGRESS' ? undefined : r;
    }, 'routing change completed');
    expect(routed).toMatchObject({ status: 'COMPLETED' });
    expect(routed.steps.at(-1)).toEqual({ name: 'deploy', state: 'DONE' });
    const { collector } = await run('CollectorConfig', { id: aura.id }, admin);
    expect(collector.renderedConfig).toMatchObject({ birdCheck: { ok: true, errors: [] } });
    expect(collector.renderedConfig.text).toContain(prefix);

    // rdns
    const zones = (await run('ReverseZones', { id: udl.id }, token)).institution.reverseZones;
    expect(zones).toEqual([
      { zone: '0.0.0.0.0.6.6.0.1.0.0.2.ip6.arpa', kind: 'nibble', prefix, delegation: null },
    ]);
    const zone: string = zones[0].zone;
    const filed = await run('Delegate', { institutionId: udl.id, zone }, token);
    expect(filed.requestReverseDelegation.__typename, JSON.stringify(filed)).toBe(
      'RequestReverseDelegationPayload',
    );
    const requestId = filed.requestReverseDelegation.request.id;
    const back = await until(async () => {
      const d = await run('Delegation', { requestId, institutionId: udl.id }, token);
      return d.request.status === 'RETURNED' ? d : undefined;
    }, 'delegation request returned');
    const returned = back.institution.reverseZones.find((z: Answer) => z.zone === zone).delegation;
    expect(returned.state).toBe('RETURNED');
    const errors = returned.checks[0].findings.filter((f: Answer) => f.level === 'error');
    // One finding per server, each naming it: the two never read alike.
    expect(errors.map((f: Answer) => [f.code, f.server]).sort()).toEqual([
      ['NO_ADDRESS', 'ns1.univ-lyon-example.fr'],
      ['NO_ADDRESS', 'ns2.univ-lyon-example.fr'],
    ]);
    expect(back.request.reason).toContain('NO_ADDRESS at ns1.univ-lyon-example.fr');

    // Every document of the section ran: README and test cannot drift apart.
    expect([...ran].sort()).toEqual([...docs.keys()].sort());
  }, 120_000);
});
