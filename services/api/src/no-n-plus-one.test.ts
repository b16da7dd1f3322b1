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
    agreement { id version services } agreementVersions { version status } } } } }`;

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
    // TECHNICAL contacts and theirs, the agreement, the versions): a small constant.
    expect(ten.count).toBeLessThanOrEqual(15);
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
});
