import { createHmac } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import type { SecretsKey } from '@guichet/core';

/**
 * What realm proofs ask of DNS: the TXT strings at a name, and whether a name exists in public
 * DNS (an SOA answers for it or for its zone). Behind this interface so the shared DNS client
 * (`@guichet/dns`) can take the place of node:dns/promises without touching the callers.
 */
export interface RealmDns {
  /** Each TXT record's strings joined; [] when the name has none. Throws when DNS cannot tell. */
  txt(name: string): Promise<string[]>;
  /** false for NXDOMAIN; true for a name that exists (with or without records of its own). */
  exists(name: string): Promise<boolean>;
}

const NO_RECORDS = new Set(['ENODATA', 'ENOTFOUND']);

export function nodeDns(servers?: readonly string[], timeoutMs = 3000): RealmDns {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (servers?.length) resolver.setServers([...servers]);
  return {
    async txt(name) {
      try {
        return (await resolver.resolveTxt(name)).map((parts) => parts.join(''));
      } catch (e) {
        if (NO_RECORDS.has((e as NodeJS.ErrnoException).code ?? '')) return [];
        throw e;
      }
    },
    async exists(name) {
      try {
        await resolver.resolveSoa(name);
        return true;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // NODATA: the name exists inside a zone (the SOA came in the authority section).
        if (code === 'ENODATA') return true;
        if (code === 'ENOTFOUND') return false;
        throw e;
      }
    },
  };
}

/** The TXT value that proves `institutionId` holds `realm`: derived, so it can be shown before filing. */
export function realmToken(key: SecretsKey, institutionId: string, realm: string): string {
  return createHmac('sha256', key.bytes)
    .update(`guichet:eduroam-realm:v1:${institutionId}:${realm}`)
    .digest('base64url')
    .slice(0, 32);
}

export const TXT_PREFIX = 'guichet-eduroam=';

export function proofRecord(label: string, key: SecretsKey, institutionId: string, realm: string) {
  return { name: `${label}.${realm}`, value: `${TXT_PREFIX}${realmToken(key, institutionId, realm)}` };
}
