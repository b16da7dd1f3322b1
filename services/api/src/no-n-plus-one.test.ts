import { systemContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { createContact, createInstitution, luhnComplete } from '@guichet/membership';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cast, makeCast } from './authz/fixtures.js';
import { testApp } from './test-app.js';

/**
 * Nested lists are batched (DataLoader per request): a page of institutions with their sites,
 * contacts (with roles), agreement in force and agreement history costs the same number of SQL
 * statements for 10 institutions as for 100 — one per level, not one per parent row (issue 16).
 */
describe('no N+1: a page of institutions with its nested lists', () => {
  let database: Database;
  let t: Awaited<ReturnType<typeof testApp>>;
  let cast: Cast;
  const PAGE = `query($first: Int!) { institutions(first: $first) { edges { node {
    id name sites { id name } contacts { id name roles } technical: contacts(role: TECHNICAL) { id }
    agreement { id version services } agreementVersions { version status }
    prefixes(first: 2) { edges { node { prefix pool { id utilisation { used } } } } pageInfo { hasNextPage } } } } } }`;

  beforeAll(async () => {
    database = await freshDatabase();
    cast = await makeCast(database);
    t = await testApp(database);
    const desk = { ...systemContext('n-plus-one'), actor: cast.actors.desk! };
    for (let i = 0; i < 100; i++) {
      const { institution } = await createInstitution(database.db, desk, {
        name: `Université Batch ${String(i).padStart(3, '0')}`,
        shortName: `UBATCH-${i}`,
        kind: 'tutelle',
        siren: luhnComplete(String(20_000_000 + i)),
        collector: 'Collecte Example',
        mainSite: { name: 'Campus principal', address: '1 rue de la Paix', city: 'Lyon' },
        secondarySites: [{ name: 'Annexe', address: '2 rue du Nord', city: 'Villeurbanne' }],
        agreement: { conventionRef: 'C', charterRef: 'CH', bandwidthMbps: 1000, services: ['ipam'] },
      });
      await createContact(database.db, desk, {
        institutionId: institution.id,
        name: `Tech ${i}`,
        email: `tech${i}@batch${i}.example.fr`,
        roles: ['technical'],
      });
    }
    // 100 requests (each with its ticket, steps and history), filed over GraphQL by the desk
    // for the first demo institution, each commented on once.
    for (let i = 0; i < 100; i++) {
      const filed = await t.gql(
        `mutation($i: RequestContactChangeInput!) { r: requestContactChange(input: $i) {
          __typename ... on RequestContactChangePayload { request { id } } ... on Error { message } } }`,
        {
          i: {
            institutionId: cast.institutionA,
            action: 'ADD',
            name: `Person ${i}`,
            email: `p${i}@a.example.fr`,
            roles: ['SERVICE'],
          },
        },
        cast.tokens.desk,
      );
      expect(filed.body.data.r.__typename, JSON.stringify(filed.body)).toBe('RequestContactChangePayload');
    }
    const listed = await t.gql('{ tickets(first: 100) { edges { node { id } } } }', {}, cast.tokens.desk);
    const ticketIds: string[] = listed.body.data.tickets.edges.map(
      (e: { node: { id: string } }) => e.node.id,
    );
    expect(ticketIds).toHaveLength(100);
    for (const [i, ticketId] of ticketIds.entries()) {
      const commented = await t.gql(
        'mutation($i: AddTicketCommentInput!) { r: addTicketComment(input: $i) { __typename } }',
        { i: { ticketId, body: `comment ${i}`, visibility: 'INSTITUTION' } },
        cast.tokens.desk,
      );
      expect(commented.body.data.r.__typename, JSON.stringify(commented.body)).toBe(
        'AddTicketCommentPayload',
      );
    }
  }, 300_000);
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });

  const statementsFor = async (first: number, query = PAGE, root = 'institutions') => {
    const before = database.statements();
    const res = await t.gql(query, { first }, cast.tokens.admin);
    const count = database.statements() - before;
    expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
    const nodes = res.body.data[root].edges.map((e: { node: unknown }) => e.node);
    return { count, nodes };
  };

  it('costs as many statements for 100 requests (institution, steps, history) as for 10', async () => {
    const q = `query($first: Int!) { requests(first: $first) { edges { node {
      id status institution { id shortName } steps { name state } history { type } } } } }`;
    await statementsFor(1, q, 'requests');
    const ten = await statementsFor(10, q, 'requests');
    const hundred = await statementsFor(100, q, 'requests');
    expect(hundred.nodes).toHaveLength(100);
    expect(hundred.count).toBe(ten.count);
    const one = hundred.nodes[0];
    expect(one.institution.id).toBe(cast.institutionA);
    expect(one.steps.map((s: { name: string }) => s.name)).toContain('desk');
    expect(one.history.length).toBeGreaterThan(0);
  });

  it('costs as many statements for 100 tickets with their comments as for 10', async () => {
    const q = 'query($first: Int!) { tickets(first: $first) { edges { node { id comments { body } } } } }';
    await statementsFor(1, q, 'tickets');
    const ten = await statementsFor(10, q, 'tickets');
    const hundred = await statementsFor(100, q, 'tickets');
    expect(hundred.nodes).toHaveLength(100);
    expect(hundred.count).toBe(ten.count);
    for (const n of hundred.nodes)
      expect(n.comments).toEqual([{ body: expect.stringMatching(/^comment \d+$/) }]);
  });

  it('costs as many statements for 100 institutions as for 10, and answers every nested list', async () => {
    await statementsFor(1); // the token's first use of the run records itself once
    const ten = await statementsFor(10);
    const hundred = await statementsFor(100);
    expect(ten.nodes).toHaveLength(10);
    expect(hundred.nodes).toHaveLength(100);
    expect(hundred.count).toBe(ten.count);
    // One statement per level (authentication, the page, sites, contacts and their roles, the
    // TECHNICAL contacts and theirs, the agreement, the versions, the prefixes with their pools):
    // a small constant.
    expect(ten.count).toBeLessThanOrEqual(16);
    // The batched answers are the ones each institution's own lists give.
    const batch = hundred.nodes.find((n: { name: string }) => n.name === 'Université Batch 042');
    expect(batch.sites.map((s: { name: string }) => s.name)).toEqual(['Campus principal', 'Annexe']);
    expect(batch.contacts).toEqual([expect.objectContaining({ name: 'Tech 42', roles: ['TECHNICAL'] })]);
    expect(batch.technical).toEqual([{ id: batch.contacts[0].id }]);
    // Its first agreement waits for the head's signature: nothing in force yet, one version.
    expect(batch.agreement).toBeNull();
    expect(batch.agreementVersions).toEqual([{ version: 1, status: expect.any(String) }]);
    expect(batch.agreementVersions[0].status).not.toBe('ACTIVE');
    // The demo institutions on the same page (by name, some of the four) have theirs in force,
    // each its own.
    const demo = hundred.nodes.filter((n: { agreement: unknown }) => n.agreement !== null);
    expect(demo.length).toBeGreaterThan(0);
    expect(new Set(demo.map((n: { agreement: { id: string } }) => n.agreement.id)).size).toBe(demo.length);
  });
  it('pages Institution.prefixes per institution in one statement for the whole page', async () => {
    const ERR = '... on Error { message }';
    const pool = await t.gql(
      `mutation($input: CreatePoolInput!) { r: createPool(input: $input) {
        __typename ... on CreatePoolPayload { pool { id } } ${ERR} } }`,
      {
        input: {
          name: 'IPv6 batch',
          prefix: '2001:db8::/32',
          ripeStatus: 'ALLOCATED-BY-RIR',
          purpose: 'institutions',
          adminC: ['NOC1-RIPE'],
          techC: ['NOC1-RIPE'],
          mntBy: ['TEST-MNT'],
          country: 'FR',
          acceptBogon: true,
        },
      },
      cast.tokens.noc,
    );
    expect(pool.body.data.r.__typename, JSON.stringify(pool.body)).toBe('CreatePoolPayload');
    const poolId = pool.body.data.r.pool.id as string;
    const page = await t.gql(PAGE, { first: 100 }, cast.tokens.admin);
    const ids: string[] = page.body.data.institutions.edges.map((e: { node: { id: string } }) => e.node.id);
    // Institution k of the first 12 holds k % 4 prefixes, given in descending order so that the
    // list's order (by prefix) is not the order of insertion.
    let n = 0;
    for (const [k, institutionId] of ids.slice(0, 12).entries()) {
      for (let j = (k % 4) - 1; j >= 0; j--) {
        const prefix = `2001:db8:${(k * 16 + j).toString(16)}::/48`;
        n++;
        const made = await t.gql(
          `mutation($input: AssignPrefixInput!) { r: assignPrefix(input: $input) { __typename ${ERR} } }`,
          { input: { poolId, prefix, institutionId, purpose: `batch ${n}` } },
          cast.tokens.noc,
        );
        expect(made.body.data.r.__typename, JSON.stringify(made.body)).toBe('AssignPrefixPayload');
      }
    }
    // Each row's pool (with its counters), institution and site come with the page, batched.
    const NODE = 'prefix pool { id prefix utilisation { used } } institution { id } site { id }';
    const q = `query($first: Int!) { institutions(first: $first) { edges { node { id
      prefixes(first: 2) { edges { node { ${NODE} } } pageInfo { hasNextPage endCursor } } } } } }`;
    await statementsFor(1, q);
    const ten = await statementsFor(10, q);
    const hundred = await statementsFor(100, q);
    expect(hundred.count).toBe(ten.count);
    // The pools come with the list's own statement: asking for them costs no statement more.
    const bare = await statementsFor(100, q.replace(/pool \{[^}]*\{[^}]*\} \}/, ''));
    expect(bare.count).toBe(hundred.count);
    // Each institution's page in the batch is the page it gets asked alone, and its next page too.
    const one = `query($id: ID!, $after: String) { institution(id: $id) {
      prefixes(first: 2, after: $after) { edges { node { ${NODE} } } pageInfo { hasNextPage endCursor } } } }`;
    const pooled = await t.gql(
      'query($id: ID!) { pool(id: $id) { utilisation { used } } }',
      { id: poolId },
      cast.tokens.admin,
    );
    const { used } = pooled.body.data.pool.utilisation;
    expect(used).toBeGreaterThan(0);
    for (const [k, node] of hundred.nodes.slice(0, 12).entries()) {
      const alone = await t.gql(one, { id: node.id }, cast.tokens.admin);
      expect(node.prefixes).toEqual(alone.body.data.institution.prefixes);
      for (const e of node.prefixes.edges) {
        expect(e.node.pool).toEqual({ id: poolId, prefix: '2001:db8::/32', utilisation: { used } });
        expect(e.node.institution).toEqual({ id: node.id });
        expect(e.node.site).toBeNull();
      }
      const held = k % 4;
      expect(node.prefixes.edges).toHaveLength(Math.min(2, held));
      expect(node.prefixes.pageInfo.hasNextPage).toBe(held > 2);
      if (held > 0) expect(node.prefixes.edges[0].node.prefix).toBe(`2001:db8:${(k * 16).toString(16)}::/48`);
    }
    const third = hundred.nodes[3];
    const next = await t.gql(
      one,
      { id: third.id, after: third.prefixes.pageInfo.endCursor },
      cast.tokens.admin,
    );
    expect(
      next.body.data.institution.prefixes.edges.map((e: { node: { prefix: string } }) => e.node.prefix),
    ).toEqual(['2001:db8:32::/48']);
    // The institutions without assignments get an empty page, not another's rows.
    expect(
      hundred.nodes.slice(12).every((x: { prefixes: { edges: unknown[] } }) => !x.prefixes.edges.length),
    ).toBe(true);
  });
});
