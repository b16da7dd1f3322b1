import { randomUUID } from 'node:crypto';
import { ldapEnv, type Slapd, startSlapd } from '@guichet/testkit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browsing, ENGINE, issueContactToken, startBrowsing } from './browser.js';
import { Guichet, type Institution, withRole } from './client.js';
import { type ApiProcess, freshStore, type Store, startApi } from './harness.js';

// The NOC console as two NOC staff use it, in headless Chromium against the real api on the
// suite's engine: filters in the URL, keyset paging, the ticket page (owner, step decisions
// with a reason, internal and public comments), bulk actions with a result per ticket — and a
// colleague's browser that follows each action without a reload. Screenshots: .tmp/portal/<engine>/.

let store: Store;
let slapd: Slapd;
let api: ApiProcess;
let b: Browsing;
let g: Guichet;
let inst: Institution;
let other: Institution;
let techToken = '';
/** Requests filed for `inst` (30: more than a page) and for `other` (3), newest last. */
const filed: { inst: string[]; other: string[] } = { inst: [], other: [] };

async function fileMany(token: string, institutionId: string, n: number): Promise<string[]> {
  const items = Array.from({ length: n }, (_, i) => ({
    input: { institutionId, family: 'IPV6', length: 56, purpose: `Console ${i}`, submit: true },
  }));
  const d = await g.query<{
    requestPrefixes: { succeeded: number; results: { request?: { id: string }; message?: string }[] };
  }>(
    { token },
    `mutation($items: [RequestPrefixesItem!]!) { requestPrefixes(input: { items: $items }) {
      ... on RequestPrefixesPayload { succeeded results {
        ... on BulkItem { request { id } } ... on Error { message } } } } }`,
    { items },
  );
  const ids = d.requestPrefixes.results.map((r) => r.request?.id ?? `failed: ${r.message}`);
  expect(d.requestPrefixes.succeeded, ids.join(', ')).toBe(n);
  return ids;
}

const ticketOfRequest = async (requestId: string) => {
  const d = await g.query<{ tickets: { edges: { node: { id: string; requestId: string } }[] } }>(
    g.admin,
    '{ tickets(first: 100) { edges { node { id requestId } } } }',
  );
  const found = d.tickets.edges.find((e) => e.node.requestId === requestId);
  if (!found) throw new Error(`no ticket for request ${requestId}`);
  return found.node.id;
};
const statusOf = async (requestId: string) => (await g.request(g.admin, requestId))?.status;
const rowOf = (page: Page, requestId: string) => page.locator(`tr[data-request="${requestId}"]`);

beforeAll(async () => {
  store = await freshStore();
  // The operator's directory (jdupont: noc and desk) and the SAML proxy's path (loopback is
  // the trusted proxy): the two other ways into the console and the portal.
  slapd = await startSlapd();
  // Every prefix waits for the NOC: the tickets stay in the queue until the console acts.
  api = await startApi({
    ...store.env,
    ...ldapEnv(slapd),
    FEDERATION_TRUSTED_PROXIES: '127.0.0.1',
    IPAM_AUTO_APPROVE: 'false',
  });
  g = new Guichet(api.url, { token: api.token });
  const all = await g.institutions();
  inst = all.find((i) => i.name.includes('Lyon')) ?? all[0]!;
  other = all.find((i) => i.id !== inst.id)!;
  techToken = await issueContactToken(g, withRole(inst, 'TECHNICAL').id);
  filed.inst = await fileMany(techToken, inst.id, 30);
  filed.other = await fileMany(await issueContactToken(g, withRole(other, 'TECHNICAL').id), other.id, 3);
  b = await startBrowsing(api.url);
}, 180_000);

afterAll(async () => {
  await b?.close();
  const stopped = await api?.stop();
  await slapd?.stop();
  await store?.drop();
  expect(stopped).toEqual({ clean: true, left: false });
}, 60_000);

describe(`NOC console in headless Chromium (${ENGINE})`, () => {
  it('filters live in the URL, pages go past the first 25 by keyset', async () => {
    const noc = await b.signedIn(api.token, 'en-US');
    await noc.getByRole('heading', { name: 'NOC console' }).waitFor();
    const rows = noc.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(25);
    // Newest first: the last filed (other's) on top, the earliest of inst's not on page 1.
    expect(await rowOf(noc, filed.other[2]!).count()).toBe(1);
    expect(await rowOf(noc, filed.inst[0]!).count()).toBe(0);
    await noc.getByRole('button', { name: 'Next page' }).click();
    await rowOf(noc, filed.inst[0]!).waitFor();
    expect(await rows.count()).toBe(33 - 25);
    expect(new URL(noc.url()).searchParams.get('after')).toBeTruthy();
    expect(await noc.getByRole('button', { name: 'Next page' }).count()).toBe(0);
    await b.shot(noc, 'console-1-page-2');
    await noc.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(() => rows.count()).toBe(25);

    // Institution filter, then queue: in the URL, and still there after a reload.
    await noc.getByLabel('Institution').selectOption(other.id);
    await expect.poll(() => rows.count()).toBe(3);
    await noc.getByLabel('Queue').selectOption('ipam');
    const url = new URL(noc.url());
    expect(url.searchParams.get('institution')).toBe(other.id);
    expect(url.searchParams.get('queue')).toBe('ipam');
    expect(url.searchParams.get('after')).toBeNull();
    await noc.reload();
    await expect.poll(() => rows.count()).toBe(3);
    expect(await noc.getByLabel('Institution').inputValue()).toBe(other.id);
    await b.shot(noc, 'console-2-filtered');
    // Owner "me" and "overdue": nothing taken yet, nothing late yet.
    await noc.getByLabel('Owner').selectOption({ label: 'me' });
    await noc.getByText('No open ticket.').waitFor();
    await noc.getByLabel('Owner').selectOption({ label: 'anyone' });
    await noc.getByLabel('Overdue').selectOption('yes');
    await noc.getByText('No open ticket.').waitFor();
    expect(new URL(noc.url()).searchParams.get('overdue')).toBe('yes');
    await noc.getByLabel('Overdue').selectOption('no');
    await expect.poll(() => rows.count()).toBe(3);
    // State: only NEW ones; all three are NEW.
    await noc.getByRole('checkbox', { name: 'OPEN' }).uncheck();
    await noc.getByRole('checkbox', { name: 'WAITING' }).uncheck();
    expect(new URL(noc.url()).searchParams.get('state')).toBe('NEW');
    await expect.poll(() => rows.count()).toBe(3);
    // Back: the previous filters come back with the URL.
    await noc.goBack();
    await expect.poll(() => new URL(noc.url()).searchParams.get('state')).toBe('NEW,WAITING');
  }, 120_000);

  it('ticket page: owner, comments and decisions with a reason; a colleague follows live', async () => {
    const requestId = filed.inst[29]!;
    const ticketId = await ticketOfRequest(requestId);
    const noc = await b.signedIn(api.token, 'en-US');
    // The colleague signs in with the operator's directory: a wrong password first.
    const colleague = await b.browser
      .newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } })
      .then((c) => (b.contexts.push(c), c.newPage()));
    await colleague.goto(api.url);
    await colleague.getByLabel('Directory username').fill('jdupont');
    await colleague.getByLabel('Password').fill('not-her-password');
    await colleague.getByRole('button', { name: 'Sign in with the directory' }).click();
    await colleague.getByRole('alert').filter({ hasText: 'Sign-in refused' }).waitFor();
    expect(await colleague.getByLabel('Password').inputValue()).toBe('');
    await colleague.getByLabel('Password').fill('jdupont-pw');
    await colleague.getByRole('button', { name: 'Sign in with the directory' }).click();
    await colleague.getByRole('heading', { name: 'NOC console' }).waitFor();
    await b.shot(colleague, 'console-0-directory-sign-in');
    await colleague.goto(`${api.url}/noc/tickets/${ticketId}`);
    await colleague.getByTestId('ticket-owner').filter({ hasText: 'nobody' }).waitFor();
    // The way a person gets there: the queue's link, by keyboard.
    const link = rowOf(noc, requestId).getByRole('link', { name: 'Open ticket' });
    await link.focus();
    await noc.keyboard.press('Enter');
    await noc.waitForURL(`**/noc/tickets/${ticketId}`);

    await noc.getByRole('button', { name: 'Take' }).click();
    await noc.getByTestId('ticket-owner').filter({ hasText: 'me' }).waitFor();
    await colleague.getByTestId('ticket-state').filter({ hasText: 'OPEN' }).waitFor({ timeout: 10_000 });

    // Assign to the colleague, picked by name from the staff holding the NOC role (her
    // directory sign-in made her account), then release.
    const picker = noc.getByLabel('Assign to');
    await picker.locator('option', { hasText: 'Jeanne Dupont (jdupont)' }).waitFor({ state: 'attached' });
    const choices = await picker.locator('option').allTextContents();
    expect(choices).toEqual(expect.arrayContaining(['— choose —', 'Jeanne Dupont (jdupont)']));
    await picker.focus();
    await picker.selectOption({ label: 'Jeanne Dupont (jdupont)' });
    await noc.getByRole('button', { name: 'Assign', exact: true }).click();
    await colleague.getByTestId('ticket-owner').filter({ hasText: 'me' }).waitFor({ timeout: 10_000 });
    const staff = await g.query<{ staffMembers: { id: string; username: string }[] }>(
      g.admin,
      '{ staffMembers(role: NOC) { id username } }',
    );
    const jeanne = staff.staffMembers.find((m) => m.username === 'jdupont')!;
    await noc
      .getByTestId('ticket-owner')
      .filter({ hasText: jeanne.id.slice(0, 8) })
      .waitFor();
    await noc.getByRole('button', { name: 'Release' }).click();
    await colleague.getByTestId('ticket-owner').filter({ hasText: 'nobody' }).waitFor({ timeout: 10_000 });

    // An internal note and a public answer; the colleague sees both, the contact only the public one.
    await noc.getByLabel('New comment').fill('Checked the pool: room for a /56.');
    await noc.getByRole('button', { name: 'Add the comment' }).click();
    await noc.locator('li[data-visibility="INTERNAL"]').waitFor();
    await noc.getByLabel('New comment').fill('We are on it.');
    await noc.getByRole('radio', { name: /institution too/ }).check();
    await noc.getByRole('button', { name: 'Add the comment' }).click();
    await colleague
      .locator('li[data-visibility="INSTITUTION"]')
      .filter({ hasText: 'We are on it.' })
      .waitFor({ timeout: 10_000 });
    expect(await colleague.locator('li[data-visibility="INTERNAL"]').textContent()).toContain(
      'room for a /56',
    );
    const seen = await g.query<{ ticket: { comments: { body: string; visibility: string }[] } }>(
      { token: techToken },
      'query($id: ID!) { ticket(id: $id) { comments { body visibility } } }',
      { id: ticketId },
    );
    expect(seen.ticket.comments).toEqual([{ body: 'We are on it.', visibility: 'INSTITUTION' }]);
    expect(await noc.getByTestId('change-log').locator('li').count()).toBeGreaterThanOrEqual(3);
    await b.shot(noc, 'console-3-ticket');

    // Return needs a reason: first the field error and nothing changes, then with one.
    await noc.getByRole('button', { name: 'Return to the institution' }).click();
    const reason = noc.getByLabel('Reason');
    expect(await reason.getAttribute('aria-invalid')).toBe('true');
    expect(await noc.locator('#step-reason-error').textContent()).toMatch(/reason is needed/);
    expect(await statusOf(requestId)).toBe('IN_PROGRESS');
    await reason.fill('Say which site the /56 is for.');
    await noc.getByRole('button', { name: 'Return to the institution' }).click();
    await expect.poll(() => statusOf(requestId)).toBe('RETURNED');
    expect((await g.request(g.admin, requestId))?.reason).toBe('Say which site the /56 is for.');
    await colleague.getByTestId('ticket-state').filter({ hasText: 'WAITING' }).waitFor({ timeout: 10_000 });
    await b.shot(colleague, 'console-4-returned');

    // Reject another one with a reason, approve a third with one (it lands as a public comment).
    const rejected = filed.inst[28]!;
    await noc.goto(`${api.url}/noc/tickets/${await ticketOfRequest(rejected)}`);
    await noc.getByLabel('Reason').fill('Duplicate of an earlier request.');
    await noc.getByRole('button', { name: 'Reject the request' }).click();
    await expect.poll(() => statusOf(rejected)).toBe('REJECTED');
    const approved = filed.inst[27]!;
    const approvedTicket = await ticketOfRequest(approved);
    await noc.goto(`${api.url}/noc/tickets/${approvedTicket}`);
    await noc.getByLabel('Reason').fill('Standard size, approved.');
    await noc.getByRole('button', { name: /Approve step « approval »/ }).click();
    await noc
      .locator('li[data-visibility="INSTITUTION"]')
      .filter({ hasText: 'Standard size, approved.' })
      .waitFor();
    await expect.poll(() => statusOf(approved), { timeout: 60_000 }).toBe('COMPLETED');
  }, 180_000);

  it('bulk actions on a selection, one result per ticket; the colleague sees them live', async () => {
    const noc = await b.signedIn(api.token, 'en-US');
    const colleague = await b.signedIn(api.token, 'en-US');
    await noc.goto(`${api.url}/noc?institution=${other.id}`);
    await colleague.goto(`${api.url}/noc?institution=${other.id}`);
    const rows = noc.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    // One of the three belongs to someone else: taking it must fail, alone.
    const owned = await ticketOfRequest(filed.other[0]!);
    const taken = await g.query<{ assignTicket: { __typename: string } }>(
      g.admin,
      'mutation($t: ID!, $s: ID!) { assignTicket(input: { ticketId: $t, staffId: $s }) { __typename } }',
      { t: owned, s: randomUUID() },
    );
    expect(taken.assignTicket.__typename).toBe('AssignTicketPayload');
    await noc.getByRole('checkbox', { name: 'Select the whole page' }).check();
    await noc.getByRole('heading', { name: 'Act on the selection (3)' }).waitFor();
    // One call for the whole selection: the api's bulk mutation, not a mutation per ticket.
    const mutations: string[] = [];
    noc.on('request', (r) => {
      const op = /^\s*mutation\s+(\w+)/.exec(r.postDataJSON()?.query ?? '')?.[1];
      if (r.url().endsWith('/graphql') && op) mutations.push(op);
    });
    await noc.getByRole('button', { name: 'Take selected' }).click();
    const results = noc.getByTestId('bulk-results').locator('li');
    await expect.poll(() => results.count()).toBe(3);
    expect(mutations).toEqual(['ActOnTickets']);
    expect(await noc.getByTestId('bulk-results').locator('li[data-outcome="ok"]').count()).toBe(2);
    const failed = noc.getByTestId('bulk-results').locator('li[data-outcome="error"]');
    expect(await failed.getAttribute('data-ticket')).toBe(owned);
    expect(await failed.textContent()).toMatch(/someone else/);
    await b.shot(noc, 'console-5-bulk-take');
    for (const r of filed.other.slice(1)) {
      await rowOf(colleague, r)
        .getByTestId('ticket-owner')
        .filter({ hasText: 'me' })
        .waitFor({ timeout: 10_000 });
    }

    // Reject needs its reason; then approve the NOC step of two selected, by keyboard.
    await noc.getByRole('button', { name: 'Reject selected' }).click();
    await noc.locator('#bulk-reason-error').waitFor();
    for (const r of filed.other.slice(1)) await rowOf(noc, r).getByRole('checkbox').check();
    await noc.getByRole('checkbox', { name: 'Select the whole page' }).isChecked();
    await rowOf(noc, filed.other[0]!).getByRole('checkbox').uncheck();
    await noc.getByRole('heading', { name: 'Act on the selection (2)' }).waitFor();
    await noc.getByRole('button', { name: 'Approve the NOC step of selected' }).focus();
    await noc.keyboard.press('Enter');
    await expect.poll(() => noc.getByTestId('bulk-results').locator('li[data-outcome="ok"]').count()).toBe(2);
    for (const r of filed.other.slice(1)) {
      await expect.poll(() => statusOf(r), { timeout: 60_000 }).toBe('COMPLETED');
    }
    // Completed requests leave the open queue, on the colleague's screen too.
    await expect.poll(() => colleague.locator('tbody tr').count(), { timeout: 15_000 }).toBe(1);
    await b.shot(colleague, 'console-6-after-bulk');
  }, 180_000);

  it('a contact signs in through the identity federation: the SAML proxy’s header, from the trusted proxy', async () => {
    const tech = withRole(inst, 'TECHNICAL');
    const context = await b.browser.newContext({
      locale: 'fr-FR',
      viewport: { width: 1280, height: 900 },
      // What the SAML service provider in front adds to every request it passes on.
      extraHTTPHeaders: { eppn: tech.eppn },
    });
    b.contexts.push(context);
    const page = await context.newPage();
    await page.goto(api.url);
    const federation = page.getByRole('button', { name: 'Se connecter avec la fédération d’identités' });
    await federation.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: new RegExp(`Institution — ${inst.name}`) }).waitFor();
    const who = await page.evaluate(async () => {
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-guichet-csrf': (await (await fetch('/session')).json()).csrf,
        },
        body: JSON.stringify({ query: '{ viewer { id kind } }' }),
      });
      return (await res.json()).data.viewer;
    });
    expect(who).toEqual({ id: tech.id, kind: 'CONTACT' });
    await b.shot(page, 'console-7-federation-sign-in');
    // Without the proxy's header the page offers no federation sign-in.
    const plain = await b.browser.newContext({ locale: 'fr-FR' });
    b.contexts.push(plain);
    const bare = await plain.newPage();
    await bare.goto(api.url);
    await bare.getByLabel('Jeton d’API').waitFor();
    expect(
      await bare.getByRole('button', { name: 'Se connecter avec la fédération d’identités' }).count(),
    ).toBe(0);
  }, 60_000);
});
