import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browsing, ENGINE, issueContactToken, startBrowsing } from './browser.js';
import { Guichet, type Institution, withRole } from './client.js';
import { type ApiProcess, freshStore, type Store, startApi } from './harness.js';

// The agreement desk's screen in headless Chromium against the real api on the suite's engine:
// register an institution and a contact (a bad value shows its field error first and writes
// nothing), ask for an agreement change, and — once the head has signed — validate it, which
// activates the new version. The desk in French. Screenshots: .tmp/portal/<engine>/.

let store: Store;
let api: ApiProcess;
let b: Browsing;
let g: Guichet;
let lyon: Institution;
/** The institution the first test registers (its version 1 is a draft). */
let newcomer = '';

const institutionCount = async () =>
  (
    await g.query<{ institutions: { edges: unknown[] } }>(
      g.admin,
      '{ institutions(first: 100) { edges { cursor } } }',
    )
  ).institutions.edges.length;

beforeAll(async () => {
  store = await freshStore();
  api = await startApi(store.env);
  g = new Guichet(api.url, { token: api.token });
  const all = await g.institutions();
  lyon = all.find((i) => i.name.includes('Lyon')) ?? all[0]!;
  b = await startBrowsing(api.url);
}, 180_000);

afterAll(async () => {
  await b?.close();
  const stopped = await api?.stop();
  await store?.drop();
  expect(stopped).toEqual({ clean: true, left: false });
}, 60_000);

describe(`agreement desk in headless Chromium (${ENGINE})`, () => {
  it('creates an institution and a contact, with field errors first', async () => {
    const desk = await b.signedIn(api.token, 'fr-FR');
    await desk.getByRole('link', { name: 'Guichet des conventions' }).click();
    await desk.getByRole('heading', { name: 'Guichet des conventions' }).waitFor();
    const before = await institutionCount();
    await desk.getByLabel('Nom', { exact: true }).fill('Université de Test Navigateur');
    await desk.getByLabel('Sigle').fill('UTNAV');
    await desk.getByLabel('SIREN').fill('123');
    await desk.getByLabel('Site principal : nom').fill('Campus');
    await desk.getByLabel('Site principal : adresse').fill('1 rue A');
    await desk.getByLabel('Site principal : ville').fill('Nantes');
    await desk.getByLabel('Référence de la convention').fill('CONV-T');
    await desk.getByLabel('Référence de la charte').fill('CHARTE-T');
    await desk.getByRole('button', { name: 'Créer l’institution' }).click();
    const sirenError = desk.locator('#ni-siren-error');
    await sirenError.waitFor();
    expect(await desk.getByLabel('SIREN').getAttribute('aria-invalid')).toBe('true');
    expect(await desk.getByLabel('SIREN').getAttribute('aria-describedby')).toBe('ni-siren-error');
    expect(await institutionCount()).toBe(before);
    await b.shot(desk, 'desk-1-field-error');

    await desk.getByLabel('SIREN').fill('732 829 320');
    await desk.getByRole('button', { name: 'Créer l’institution' }).click();
    await desk.waitForURL(/\/desk\/institutions\/[0-9a-f-]{36}$/);
    newcomer = new URL(desk.url()).pathname.split('/').at(-1)!;
    await desk.getByRole('heading', { name: /Université de Test Navigateur/ }).waitFor();
    await desk.locator('tr[data-version="1"][data-status="DRAFT"]').waitFor();
    expect(await institutionCount()).toBe(before + 1);

    // A contact: a bad email first, then the head of institution.
    await desk.getByLabel('Nom', { exact: true }).fill('Camille Martin');
    await desk.getByLabel('Courriel').fill('x');
    await desk.getByRole('checkbox', { name: 'HEAD' }).check();
    await desk.getByRole('button', { name: 'Ajouter le contact' }).click();
    await desk.locator('#nc-email-error').waitFor();
    expect(await desk.locator('li[data-contact]').count()).toBe(0);
    await desk.getByLabel('Courriel').fill('camille.martin@utnav.example.fr');
    await desk.getByRole('button', { name: 'Ajouter le contact' }).press('Enter');
    await desk.locator('li[data-contact]').filter({ hasText: 'Camille Martin' }).waitFor();
    expect(await desk.locator('li[data-contact]').textContent()).toContain('HEAD');
    await b.shot(desk, 'desk-2-institution');
  }, 120_000);

  it('asks for an agreement change; after the head signs, validating it activates the version', async () => {
    const desk = await b.signedIn(api.token, 'fr-FR');
    await desk.goto(`${api.url}/desk`);
    await desk.getByLabel('Rechercher une institution').fill('Lyon');
    await desk.getByRole('link', { name: lyon.name }).click();
    await desk.getByRole('heading', { name: new RegExp(lyon.name) }).waitFor();
    const active = desk.locator('tr[data-status="ACTIVE"]');
    const from = Number(await active.getAttribute('data-version'));
    await desk.getByLabel('Nouveau débit (Mb/s)').fill('2500');
    await desk.getByRole('button', { name: 'Préparer la modification' }).click();
    const change = desk.locator('li[data-request]').filter({ hasText: 'signature' });
    await change.waitFor();
    const requestId = (await change.getAttribute('data-request'))!;
    await desk.locator(`tr[data-version="${from + 1}"][data-status="DRAFT"]`).waitFor();
    // Nothing to validate before the signature.
    expect(await desk.getByRole('button', { name: 'Valider et activer' }).count()).toBe(0);

    // The head signs the document's hash (with their own token): the page follows live.
    const head = { token: await issueContactToken(g, withRole(lyon, 'HEAD').id) };
    const hash = (await g.request(head, requestId))!.document!.hash;
    const signed = await g.act(head, 'signRequest', 'SignRequestInput', { requestId, documentHash: hash });
    expect(signed.__typename).toBe('SignRequestPayload');
    const validate = desk.getByRole('button', { name: 'Valider et activer' });
    await validate.waitFor({ timeout: 15_000 });
    await desk.locator(`tr[data-version="${from + 1}"][data-status="SIGNED"]`).waitFor();
    await validate.click();
    await desk.locator(`tr[data-version="${from + 1}"][data-status="ACTIVE"]`).waitFor({ timeout: 30_000 });
    await desk.locator(`tr[data-version="${from}"][data-status="SUPERSEDED"]`).waitFor();
    expect(await desk.locator(`tr[data-version="${from + 1}"]`).textContent()).toContain('2500');
    expect((await g.agreementOf(g.admin, lyon.id)).agreement?.version).toBe(from + 1);
    await b.shot(desk, 'desk-3-activated');
  }, 120_000);

  it('a new member’s first agreement: the desk prepares version 1, the head signs it in the portal, the desk activates it', async () => {
    expect(newcomer).not.toBe('');
    const desk = await b.signedIn(api.token, 'fr-FR');
    await desk.goto(`${api.url}/desk/institutions/${newcomer}`);
    await desk.locator('tr[data-version="1"][data-status="DRAFT"]').waitFor();
    // The charter needs a security contact: register one.
    await desk.getByLabel('Nom', { exact: true }).fill('Sam Sécurité');
    await desk.getByLabel('Courriel').fill('sam.securite@utnav.example.fr');
    await desk.getByRole('checkbox', { name: 'SECURITY' }).check();
    await desk.getByRole('button', { name: 'Ajouter le contact' }).click();
    await desk.locator('li[data-contact]').filter({ hasText: 'Sam Sécurité' }).waitFor();

    // Nobody named first: the error beside the field, nothing filed.
    const form = desk.getByTestId('first-agreement');
    await form.getByRole('heading', { name: 'Première convention' }).waitFor();
    await form.getByRole('button', { name: 'Préparer pour signature' }).click();
    await desk.locator('#fa-security-error').waitFor();
    expect(await desk.getByLabel('Contact sécurité de la charte').getAttribute('aria-invalid')).toBe('true');
    expect(await desk.locator('li[data-request]').count()).toBe(0);
    await desk.getByLabel('Contact sécurité de la charte').selectOption({ label: 'Sam Sécurité' });
    await form.getByRole('button', { name: 'Préparer pour signature' }).click();
    const request = desk.locator('li[data-request]').filter({ hasText: 'signature' });
    await request.waitFor();
    const requestId = (await request.getAttribute('data-request'))!;
    // Version 1 itself goes to signature (no copy of it), still a draft.
    await desk.locator('tr[data-version="1"][data-status="DRAFT"]').waitFor();
    expect(await desk.locator('tr[data-version]').count()).toBe(1);
    expect(await desk.getByTestId('first-agreement').count()).toBe(0);
    expect(await desk.getByRole('button', { name: 'Valider et activer' }).count()).toBe(0);
    await b.shot(desk, 'desk-4-first-agreement');

    // The head signs on the portal's signature screen, with their first token.
    const all = await g.institutions();
    const headId = all.find((i) => i.id === newcomer)!.contacts.find((c) => c.roles.includes('HEAD'))!.id;
    const head = await b.signedIn(await issueContactToken(g, headId), 'fr-FR');
    await head.goto(`${api.url}/requests/${requestId}`);
    await head.getByTestId('document-text').waitFor();
    expect(await head.getByTestId('document-text').textContent()).toContain('Sam Sécurité');
    await head.getByLabel('J’ai lu ce document').check();
    await head.getByRole('button', { name: 'Signer' }).click();
    await head.locator('li[data-step="signature"][data-state="DONE"]').waitFor({ timeout: 15_000 });

    // The desk's page shows the validation by itself; validating activates version 1.
    const validate = desk.getByRole('button', { name: 'Valider et activer' });
    await validate.waitFor({ timeout: 15_000 });
    await desk.locator('tr[data-version="1"][data-status="SIGNED"]').waitFor();
    await validate.focus();
    await desk.keyboard.press('Enter');
    await desk.locator('tr[data-version="1"][data-status="ACTIVE"]').waitFor({ timeout: 30_000 });
    expect((await g.agreementOf(g.admin, newcomer)).agreement?.version).toBe(1);
    await b.shot(desk, 'desk-5-first-agreement-active');
  }, 120_000);
});
