import { Client } from 'ldapts';
import { type DirectorySpec, type Finding, filterFor } from '../model.js';

/**
 * The directory self-test, with ldapts against the institution's real server: bind with its DN
 * and password (after StartTLS when asked), then one search for the known address (must be
 * found) and one for the unknown address (must not be) — `postmap -q` semantics, the filter
 * escaped the way Postfix escapes `%s`. Every outcome is a finding; nothing throws.
 */

const since = (t0: number) => Math.round(performance.now() - t0);

/** ldapts errors carry the LDAP result name; socket errors a code. Never the password. */
function reason(e: unknown): string {
  const err = e as { code?: string | number; message?: string; name?: string };
  const msg = (err.message ?? String(e)).replace(/\s+/g, ' ').slice(0, 300);
  return err.code && !msg.includes(String(err.code)) ? `${msg} (${err.code})` : msg;
}

export async function directorySelfTest(
  d: DirectorySpec,
  password: string,
  known: string,
  unknown: string,
  timeoutMs: number,
): Promise<Finding[]> {
  const target = d.url;
  const findings: Finding[] = [];
  const client = new Client({ url: d.url, timeout: timeoutMs, connectTimeout: timeoutMs, strictDN: false });
  let t0 = performance.now();
  try {
    if (d.url.startsWith('ldap://') && d.startTls) {
      try {
        await client.startTLS({ servername: new URL(d.url).hostname });
        findings.push({
          check: 'ldap.starttls',
          level: 'ok',
          target,
          message: 'StartTLS accepted, certificate verified',
          ms: since(t0),
        });
      } catch (e) {
        findings.push({
          check: 'ldap.starttls',
          level: 'error',
          target,
          message: `StartTLS failed: ${reason(e)}`,
          ms: since(t0),
        });
        return findings;
      }
      t0 = performance.now();
    }
    try {
      await client.bind(d.bindDn, password);
      findings.push({
        check: 'ldap.bind',
        level: 'ok',
        target,
        message: `bound as ${d.bindDn}`,
        ms: since(t0),
      });
    } catch (e) {
      findings.push({
        check: 'ldap.bind',
        level: 'error',
        target,
        message: `bind as ${d.bindDn} refused or failed: ${reason(e)}`,
        ms: since(t0),
      });
      return findings;
    }
    for (const [check, address, want] of [
      ['ldap.known', known, true],
      ['ldap.unknown', unknown, false],
    ] as const) {
      t0 = performance.now();
      try {
        const { searchEntries } = await client.search(d.base, {
          scope: 'sub',
          filter: filterFor(d.filter, address),
          attributes: [d.resultAttribute],
          sizeLimit: 2,
        });
        const found = searchEntries.some((e) => e[d.resultAttribute] !== undefined);
        findings.push({
          check,
          level: found === want ? 'ok' : 'error',
          target: address,
          message: found
            ? `found (${d.resultAttribute} returned)${want ? '' : ': an address that should not exist is accepted'}`
            : `not found${want ? ': a real recipient would be refused with 550' : ''}`,
          ms: since(t0),
        });
      } catch (e) {
        findings.push({
          check,
          level: 'error',
          target: address,
          message: `search failed: ${reason(e)}`,
          ms: since(t0),
        });
      }
    }
  } catch (e) {
    findings.push({
      check: 'ldap.connect',
      level: 'error',
      target,
      message: `directory unreachable: ${reason(e)}`,
      ms: since(t0),
    });
  } finally {
    await client.unbind().catch(() => undefined);
  }
  return findings;
}
