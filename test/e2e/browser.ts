import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Guichet } from './client.js';
import { ROOT } from './harness.js';

/**
 * What the browser tests share: Debian's headless Chromium driven by Playwright, a signed-in
 * context per user (its own cookies), screenshots in .tmp/portal/<engine>/, and what each page
 * itself reports (page errors, console errors) collected for the test's output.
 */

export const ENGINE = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
export const SHOTS = join(ROOT, '.tmp/portal', ENGINE);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Browsing {
  browser: Browser;
  contexts: BrowserContext[];
  pageLog: string[];
  signedIn(token: string, locale: 'fr-FR' | 'en-US'): Promise<Page>;
  shot(page: Page, name: string): Promise<Buffer>;
  close(): Promise<void>;
}

export async function startBrowsing(url: string): Promise<Browsing> {
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in CI: Chromium's sandbox needs user namespaces it may not have there.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  const contexts: BrowserContext[] = [];
  const pageLog: string[] = [];
  return {
    browser,
    contexts,
    pageLog,
    async signedIn(token, locale) {
      const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => pageLog.push(`${locale} pageerror: ${e.message}`));
      page.on('console', (m) => {
        // The 401 of GET /session before sign-in is expected.
        if (m.type() === 'error' && !m.text().includes('status of 401'))
          pageLog.push(`${locale} console: ${m.text()}`);
      });
      await page.goto(url);
      const fr = locale === 'fr-FR';
      await page.getByLabel(fr ? 'Jeton d’API' : 'API token').fill(token);
      await page.getByRole('button', { name: fr ? 'Se connecter' : 'Sign in', exact: true }).click();
      await page.getByRole('button', { name: fr ? 'Se déconnecter' : 'Sign out' }).waitFor();
      return page;
    },
    shot: (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true }),
    async close() {
      if (pageLog.length) process.stderr.write(`browser log:\n${pageLog.join('\n')}\n`);
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
    },
  };
}

let issued = 0;
/** A WRITE token for a contact, issued by the administrator. */
export async function issueContactToken(g: Guichet, contactId: string): Promise<string> {
  const d = await g.query<{ issueContactToken: { secret?: string; message?: string } }>(
    g.admin,
    `mutation($input: IssueContactTokenInput!) { issueContactToken(input: $input) {
      ... on IssueContactTokenPayload { secret } ... on Error { message } } }`,
    { input: { contactId, name: `browser-${process.pid}-${++issued}`, scope: 'WRITE' } },
  );
  const { secret, message } = d.issueContactToken;
  if (!secret) throw new Error(`issueContactToken: ${message}`);
  return secret;
}
