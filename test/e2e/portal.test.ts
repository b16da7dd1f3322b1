import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Guichet, type Institution, withRole } from './client.js';
import { type ApiProcess, freshStore, gql, ROOT, type Store, startApi } from './harness.js';
import { type Heard, listenToRequestEvents } from './sse.js';

// The portal as its users use it, in Debian's headless Chromium driven by Playwright, against
// the real api (`pnpm start`, which serves the portal it built) on the suite's engine. The NOC
// console in English, the institution in French. Screenshots: .tmp/portal/<engine>/.

const ENGINE = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
const SHOTS = join(ROOT, '.tmp/portal', ENGINE);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let store: Store;
let api: ApiProcess;
let browser: Browser;
let g: Guichet;
let inst: Institution;
let other: Institution;
const tokens = { tech: '', techRead: '', other: '', head: '' };
const contexts: BrowserContext[] = [];
const pageLog: string[] = [];
const streams: Heard[] = [];
const listen = (...args: Parameters<typeof listenToRequestEvents>) => {
  const h = listenToRequestEvents(...args);
  streams.push(h);
  return h;
};

let issued = 0;
async function issue(contactId: string): Promise<string> {
  const d = await g.query<{ issueContactToken: { secret?: string; message?: string } }>(
    g.admin,
    `mutation($input: IssueContactTokenInput!) { issueContactToken(input: $input) {
      ... on IssueContactTokenPayload { secret } ... on Error { message } } }`,
    { input: { contactId, name: `portal-${++issued}`, scope: 'WRITE' } },
  );
  const { secret, message } = d.issueContactToken;
  if (!secret) throw new Error(`issueContactToken: ${message}`);
  return secret;
}

/** A fresh browser context (its own cookies), signed in through the form with `token`. */
async function signedIn(token: string, locale: 'fr-FR' | 'en-US'): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  // What the page itself reports goes into the test's output when something fails.
  page.on('pageerror', (e) => pageLog.push(`${locale} pageerror: ${e.message}`));
  page.on('console', (m) => {
    // The 401 of GET /session before sign-in is expected.
    if (m.type() === 'error' && !m.text().includes('status of 401'))
      pageLog.push(`${locale} console: ${m.text()}`);
  });
  await page.goto(api.url);
  const fr = locale === 'fr-FR';
  await page.getByLabel(fr ? 'Jeton d’API' : 'API token').fill(token);
  await page.getByRole('button', { name: fr ? 'Se connecter' : 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: fr ? 'Se déconnecter' : 'Sign out' }).waitFor();
  return page;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  store = await freshStore();
  // Every prefix waits for the NOC (no auto-approval of the standard case): the flow under test.
  api = await startApi({ ...store.env, IPAM_AUTO_APPROVE: 'false' });
  g = new Guichet(api.url, { token: api.token });
  const all = await g.institutions();
  inst = all.find((i) => i.name.includes('Lyon')) ?? all[0]!;
  other = all.find((i) => i.id !== inst.id)!;
  tokens.tech = await issue(withRole(inst, 'TECHNICAL').id);
  // The contact's own read-only token, made with their first one, as they would for a script.
  const made = await g.query<{ createToken: { secret: string } }>(
    { token: tokens.tech },
    `mutation { createToken(input: { name: "portal-read", scope: READ }) {
      ... on CreateTokenPayload { secret } } }`,
  );
  tokens.techRead = made.createToken.secret;
  tokens.other = await issue(withRole(other, 'TECHNICAL').id);
  tokens.head = await issue(withRole(inst, 'HEAD').id);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in CI: Chromium's sandbox needs user namespaces it may not have there.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}, 180_000);

afterAll(async () => {
  if (pageLog.length) process.stderr.write(`browser log:\n${pageLog.join('\n')}\n`);
  for (const h of streams) h.stop();
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  const stopped = await api?.stop();
  await store?.drop();
  expect(stopped).toEqual({ clean: true, left: false });
}, 60_000);

describe(`portal in headless Chromium (${ENGINE})`, () => {
  it('contact files a prefix request, the NOC sees it live, takes and approves it, the contact page follows', async () => {
    // The NOC console is open before anything is filed: the ticket must arrive by itself.
    const noc = await signedIn(api.token, 'en-US');
    await noc.getByRole('heading', { name: 'NOC console' }).waitFor();
    expect(new URL(noc.url()).pathname).toBe('/noc');

    // Event streams of two contacts, to prove who is sent what.
    const heardByTech = listen(api.url, tokens.tech);
    const heardByOther = listen(api.url, tokens.other);
    const ticketsHeardByTech = listen(api.url, tokens.tech, 'ticketEvents');
    const ticketsHeardByOther = listen(api.url, tokens.other, 'ticketEvents');
    await Promise.all(
      [heardByTech, heardByOther, ticketsHeardByTech, ticketsHeardByOther].map((h) => h.opened),
    );

    const page = await signedIn(tokens.tech, 'fr-FR');
    await page.getByRole('heading', { name: new RegExp(`Institution — ${inst.name}`) }).waitFor();
    await shot(page, '1-institution');

    // A bad value first: the API's field error, beside the field, and nothing filed.
    const before = await g.requestCount(inst.id);
    const length = page.getByLabel('Longueur du préfixe');
    await length.fill('200');
    await page.getByLabel('Usage').fill('Réseau du campus');
    await page.getByRole('button', { name: 'Envoyer la demande' }).click();
    const lengthError = page.locator('#pf-length-error');
    await lengthError.waitFor();
    expect(await lengthError.textContent()).toMatch(/128/);
    expect(await length.getAttribute('aria-invalid')).toBe('true');
    expect(await length.getAttribute('aria-describedby')).toBe('pf-length-error');
    expect(await g.requestCount(inst.id)).toBe(before);
    await shot(page, '2-field-error');

    await length.fill('48');
    await page.getByRole('button', { name: 'Envoyer la demande' }).click();
    await page.waitForURL(/\/requests\/[0-9a-f-]{36}$/);
    const requestId = new URL(page.url()).pathname.split('/').at(-1)!;
    const status = page.getByTestId('request-status');
    await page.locator('li[data-step="approval"][data-state="PENDING"]').waitFor();
    expect(await status.textContent()).toBe('IN_PROGRESS');
    await shot(page, '3-request-in-progress');

    // The NOC's queue shows it without a reload, with both clocks.
    const row = noc.locator(`tr[data-request="${requestId}"]`);
    await row.waitFor({ timeout: 15_000 });
    const ticketId = await row.getAttribute('data-ticket');
    expect(await row.getByTestId('ticket-owner').textContent()).toBe('nobody');
    expect(await row.locator('.clock').count()).toBe(2);
    await shot(noc, '4-noc-queue');
    // A second NOC console (another browser) sees the take without a reload.
    const colleague = await signedIn(api.token, 'en-US');
    const theirRow = colleague.locator(`tr[data-request="${requestId}"]`);
    await theirRow.getByTestId('ticket-owner').filter({ hasText: 'nobody' }).waitFor();
    await row.getByRole('button', { name: 'Take' }).click();
    await row.getByTestId('ticket-owner').filter({ hasText: 'me' }).waitFor();
    await theirRow.getByTestId('ticket-state').filter({ hasText: 'OPEN' }).waitFor({ timeout: 10_000 });
    await row.getByRole('button', { name: /Approve step « approval »/ }).click();

    // The contact's page follows the request to its end, without a reload.
    await page.locator('li[data-step="approval"][data-state="DONE"]').waitFor({ timeout: 15_000 });
    await status.filter({ hasText: 'COMPLETED' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('dd code').textContent()).toMatch(/::\/48$/);
    await shot(page, '5-request-completed');
    await shot(noc, '6-noc-after');

    // The request's record on the contact's page: its change log, and the operator's comment
    // for the institution — never the NOC's internal one, not even its existence.
    const internalNote = `note interne ${requestId.slice(0, 8)}`;
    const reply = `réponse publique ${requestId.slice(0, 8)}`;
    for (const [body, visibility] of [
      [internalNote, 'INTERNAL'],
      [reply, 'INSTITUTION'],
    ])
      await g.query(
        g.admin,
        `mutation($i: AddTicketCommentInput!) { addTicketComment(input: $i) { __typename } }`,
        { i: { ticketId, body, visibility } },
      );
    await page.reload();
    const requestLog = page.getByTestId('request-log');
    await requestLog.locator('tr[data-action="workflow.fileRequest"]').waitFor();
    expect(
      await requestLog
        .locator('tbody tr')
        .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-object-type'))),
    ).toEqual(expect.arrayContaining(['Request']));
    await page.getByTestId('request-comments').filter({ hasText: reply }).waitFor();
    expect(await page.locator('main').textContent()).not.toContain(internalNote);
    const history = page.locator('section[aria-labelledby="history-h"] tbody tr');
    expect(await history.filter({ hasText: 'commented' }).count()).toBe(1);
    await page.getByRole('heading', { name: 'Historique des modifications' }).waitFor();
    await shot(page, '5b-request-record');
    // The institution page's change log holds the request's rows and the new assignment's.
    await page.goto(`${api.url}/institution`);
    const institutionLog = page.getByTestId('institution-log');
    await institutionLog.locator(`tr[data-object-type="Request"]`).first().waitFor();
    await institutionLog.locator(`tr[data-object-type="Assignment"]`).first().waitFor();
    expect(
      await institutionLog
        .locator('tbody tr')
        .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-object-type'))),
    ).not.toContain('Ticket');
    expect(await page.locator('main').textContent()).not.toContain(internalNote);

    // Subscriptions: the technical contact heard the request's events, the other
    // institution's contact none of them.
    await heardByTech.until((es) => es.some((e) => e.id === requestId && e.type === 'completed'));
    expect(heardByOther.events.filter((e) => e.id === requestId)).toEqual([]);
    // The take, as a ticket event: to the institution's contact, not to the other one.
    await ticketsHeardByTech.until((es) =>
      es.some((e) => e.id === ticketId && e.type === 'workflow.ticket.take'),
    );
    expect(ticketsHeardByOther.events.filter((e) => e.id === ticketId)).toEqual([]);
    for (const h of [heardByTech, heardByOther, ticketsHeardByTech, ticketsHeardByOther]) {
      h.stop();
      expect(h.error).toBeUndefined();
    }

    // Another institution's contact cannot open the request's URL, nor follow it.
    const stranger = await signedIn(tokens.other, 'fr-FR');
    await stranger.goto(`${api.url}/requests/${requestId}`);
    await stranger.getByRole('alert').filter({ hasText: 'Introuvable' }).waitFor();
    expect(await stranger.locator('main').textContent()).not.toContain(inst.name);
    await shot(stranger, '7-other-institution');
    const follow = await gql<unknown>(
      api.url,
      { token: tokens.other },
      'subscription($id: ID) { requestEvents(requestId: $id) { id } }',
      { id: requestId },
    );
    expect(follow.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    // A read-only credential: no action anywhere, and the API refuses the mutation anyway —
    // sent from that very browser session, cookie and CSRF header included.
    const reader = await signedIn(tokens.techRead, 'fr-FR');
    await reader.getByRole('note').filter({ hasText: 'lecture seule' }).waitFor();
    expect(await reader.getByRole('button', { name: 'Envoyer la demande' }).count()).toBe(0);
    await reader.goto(`${api.url}/requests/${requestId}`);
    await reader.getByTestId('request-status').waitFor();
    const buttons = await reader.getByRole('button').allTextContents();
    expect(buttons).toEqual(['Se déconnecter']);
    await shot(reader, '8-read-only');
    const count = await g.requestCount(inst.id);
    const refused = await reader.evaluate(async (institutionId) => {
      const { csrf } = await (await fetch('/session')).json();
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-guichet-csrf': csrf },
        body: JSON.stringify({
          query: `mutation($i: ID!) { requestPrefix(input: { institutionId: $i, family: IPV6, length: 48,
            purpose: "x", submit: true }) { __typename } }`,
          variables: { i: institutionId },
        }),
      });
      return res.json();
    }, inst.id);
    expect(refused.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(await g.requestCount(inst.id)).toBe(count);

    // Sign-out clears the session: a reload shows the sign-in form.
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByLabel('Jeton d’API').waitFor();
    await page.reload();
    await page.getByLabel('Jeton d’API').waitFor();
  }, 240_000);

  it('the technical contact asks for an agreement change through its form; the head reads the document and signs it', async () => {
    const page = await signedIn(tokens.tech, 'fr-FR');
    await page.getByLabel('Type de demande').selectOption({ label: 'Changement de convention' });
    await page.getByLabel('Débit (Mb/s)').fill('2500');
    await page.getByRole('button', { name: 'Envoyer la demande' }).click();
    await page.waitForURL(/\/requests\/[0-9a-f-]{36}$/);
    const requestId = new URL(page.url()).pathname.split('/').at(-1)!;
    // The technical contact sees the document too, but the signature is the head's.
    await page.getByTestId('document-text').waitFor();
    expect(await page.getByRole('button', { name: 'Signer' }).count()).toBe(0);
    await page.getByRole('note').filter({ hasText: 'responsable de l’institution signe' }).waitFor();

    const head = await signedIn(tokens.head, 'fr-FR');
    await head.goto(`${api.url}/requests/${requestId}`);
    const text = head.getByTestId('document-text');
    await text.waitFor();
    // What is on screen is the API's document and its hash, to the byte.
    const draft = (await g.request(g.admin, requestId))!;
    expect(await text.textContent()).toBe(draft.document!.text);
    expect(await text.textContent()).toContain('2500');
    expect(await head.getByTestId('document-hash').textContent()).toBe(draft.document!.hash);
    const sign = head.getByRole('button', { name: 'Signer' });
    // Not before the head says they read it.
    expect(await sign.isDisabled()).toBe(true);
    await head.getByLabel('J’ai lu ce document').check();
    await shot(head, '9-signature');
    await sign.click();
    await head.locator('li[data-step="signature"][data-state="DONE"]').waitFor({ timeout: 15_000 });
    await head.locator('li[data-step="validation"][data-state="PENDING"]').waitFor();
    expect(await head.getByTestId('document-text').count()).toBe(0);
    const signed = (await g.request(g.admin, requestId))!;
    expect(signed).toMatchObject({ currentStep: 'validation', pendingActor: 'DESK' });
    expect(signed.agreementVersion).toMatchObject({ documentHash: draft.document!.hash });
    expect(signed.steps.find((s) => s.name === 'signature')?.actedBy).toBe(
      `contact:${withRole(inst, 'HEAD').id}`,
    );
    // The technical contact's open page follows without a reload.
    await page.locator('li[data-step="signature"][data-state="DONE"]').waitFor({ timeout: 15_000 });
    await shot(head, '10-signed');
  }, 120_000);

  it('every request form shows the API’s typed errors beside their fields and files nothing', async () => {
    const page = await signedIn(tokens.tech, 'fr-FR');
    const before = await g.requestCount(inst.id);
    const filing = async (kind: string, fill: Record<string, string>) => {
      await page.getByLabel('Type de demande').selectOption({ label: kind });
      for (const [label, value] of Object.entries(fill))
        await page.getByLabel(label, { exact: true }).fill(value);
      await page.getByRole('button', { name: 'Envoyer la demande' }).click();
      const alerts = page.locator('form [role="alert"]');
      await alerts.first().waitFor();
      return alerts.evaluateAll((es) => es.map((e) => `${e.id}: ${e.textContent}`));
    };
    const seen: Record<string, string[]> = {};
    seen.rdns = await filing('Délégation DNS inverse', {
      'Zone inverse': 'pas-une-zone.example',
      'Serveurs de noms': 'ns1.example.fr',
    });
    seen.routing = await filing('Changement de routage', {
      'Préfixes annoncés après le changement': '192.0.2.0/24',
      'AS d’origine': 'quatre',
    });
    seen.domain = await filing('Nom de domaine', {
      Nom: 'exemple.com',
      'Serveurs de noms': 'ns1.exemple.fr',
    });
    seen.eduroam = await filing('Site eduroam', {
      'Nom du site (en anglais)': 'Campus',
      Latitude: '0',
      Longitude: '0',
    });
    seen.antispam = await filing('Raccordement antispam', {
      'Annuaire (URL LDAP)': 'http://annuaire.example',
      'Mot de passe de connexion': 's3cret',
    });
    expect(await page.getByLabel('Mot de passe de connexion').getAttribute('type')).toBe('password');
    const url = page.getByLabel('Annuaire (URL LDAP)');
    expect(await url.getAttribute('aria-invalid')).toBe('true');
    expect(await url.getAttribute('aria-describedby')).toContain('nr-antispam-directory-url-error');
    await shot(page, '11-form-errors');
    seen.circuit = await filing('Commande de circuit', { 'Nom du circuit': '', 'Débit (Mb/s)': '100' });
    const ids = (k: string) => seen[k]!.map((l) => l.slice(0, l.indexOf(':')));
    // Refusals that are not about one field (they name their rule) stand above the button.
    expect(seen.rdns).toEqual([
      expect.stringMatching(/^nr-rdns-form-error: POLICY_REFUSAL \(rdns\.zone-not-assigned\)/),
    ]);
    expect(seen.domain).toEqual([expect.stringMatching(/^nr-domain-form-error: .*\(charter\.zone\)/)]);
    // A number field holding words cannot even be sent (the variables are typed): said beside it.
    expect(seen.routing).toEqual(['nr-routing-originAs-error: Un nombre est attendu.']);
    // The API's field issues, each beside its own field, the nested ones too.
    expect(ids('eduroam')).toEqual(['nr-eduroamSite-street-error', 'nr-eduroamSite-city-error']);
    expect(ids('antispam')).toContain('nr-antispam-directory-url-error');
    expect(ids('antispam')).not.toContain('nr-antispam-directory-bindPassword-error');
    expect(ids('circuit')).toEqual(['nr-circuit-name-error', 'nr-circuit-endpoints-error']);
    expect(await g.requestCount(inst.id)).toBe(before);
  }, 120_000);

  it('first load: bytes and time to a usable page, against GraphiQL on the same server', async () => {
    const load = async (path: string, ready: string) => {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      // Body bytes as transferred (no compression on either page), every response counted.
      const sizes: Promise<number>[] = [];
      page.on('requestfinished', (r) => {
        sizes.push(r.sizes().then((z) => z.responseBodySize));
      });
      const t0 = performance.now();
      await page.goto(`${api.url}${path}`);
      await page.locator(ready).first().waitFor();
      const ms = performance.now() - t0;
      // GraphiQL keeps a connection busy (no network idle): a moment for the last bodies.
      await page.waitForTimeout(500);
      const bytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
      await context.close();
      return { bytes, ms };
    };
    // Twice each, the second counted: the api's own first-request warm-up is not the page's.
    await load('/', '#token');
    await load('/graphql', '.graphiql-container');
    const portal = await load('/', '#token');
    const graphiql = await load('/graphql', '.graphiql-container');
    const line = `portal ${Math.round(portal.bytes / 1024)} KiB in ${Math.round(portal.ms)} ms; GraphiQL ${Math.round(
      graphiql.bytes / 1024,
    )} KiB in ${Math.round(graphiql.ms)} ms; bytes ratio ${(portal.bytes / graphiql.bytes).toFixed(2)}, time ratio ${(
      portal.ms / graphiql.ms
    ).toFixed(2)}`;
    process.stdout.write(`first load (${ENGINE}): ${line}\n`);
    // The portal is a thin client: never heavier than the GraphiQL page the api already serves.
    expect(portal.bytes).toBeLessThan(graphiql.bytes);
  }, 120_000);
});
