import { getServers } from 'node:dns';
import type { SecretBox } from '@guichet/core';
import { type DnsAnswer, query } from '@guichet/dns';

/**
 * What realm proofs ask of DNS: the TXT strings at a name, and whether a name exists. Behind a
 * small interface; the implementation is the shared DNS client (@guichet/dns) sending
 * recursive queries to the configured resolvers (EDUROAM_DNS_SERVERS, else the system's).
 */
export interface RealmDns {
  /** Each TXT record's strings joined; [] when the name has none. Throws when DNS cannot tell. */
  txt(name: string): Promise<string[]>;
  /** false for NXDOMAIN; true for a name that exists (with or without records of its own). */
  exists(name: string): Promise<boolean>;
}

export interface Resolver {
  address: string;
  port: number;
}

/** `192.0.2.53`, `192.0.2.53:5353`, `[2001:db8::53]:53`, `2001:db8::53`. */
export function parseResolver(text: string): Resolver {
  const t = text.trim();
  const v6 = /^\[([0-9a-fA-F:]+)\](?::(\d+))?$/.exec(t);
  if (v6) return { address: v6[1] as string, port: Number(v6[2] ?? 53) };
  if (t.includes(':') && t.split(':').length > 2) return { address: t, port: 53 };
  const [address, port] = t.split(':');
  return { address: address as string, port: Number(port ?? 53) };
}

export function dnsClientRealmDns(servers?: readonly string[], timeoutMs = 3000): RealmDns {
  const resolvers = () => (servers?.length ? servers : getServers()).map(parseResolver);
  /** Tries each resolver in turn; TCP when the UDP answer is truncated; SERVFAIL is "cannot tell". */
  const ask = async (name: string, type: 'TXT' | 'SOA'): Promise<DnsAnswer> => {
    let last: unknown = new Error('no resolver configured');
    for (const r of resolvers()) {
      try {
        let a = await query(r.address, r.port, name, type, { rd: true, timeoutMs });
        if (a.tc) a = await query(r.address, r.port, name, type, { rd: true, timeoutMs, tcp: true });
        if (a.rcode === 'NOERROR' || a.rcode === 'NXDOMAIN') return a;
        last = new Error(`${r.address}: ${a.rcode} for ${name} ${type}`);
      } catch (e) {
        last = e;
      }
    }
    throw last;
  };
  return {
    async txt(name) {
      const a = await ask(name, 'TXT');
      if (a.rcode === 'NXDOMAIN') return [];
      return a.answers
        .filter((rr) => rr.type === 'TXT')
        .map((rr) => {
          const data = (rr as { data: Buffer | string | (Buffer | string)[] }).data;
          return (Array.isArray(data) ? data : [data]).map((d) => d.toString()).join('');
        });
    },
    async exists(name) {
      return (await ask(name, 'SOA')).rcode !== 'NXDOMAIN';
    },
  };
}

/** The TXT value that proves `institutionId` holds `realm`: derived, so it can be shown before filing. */
export function realmToken(secrets: SecretBox, institutionId: string, realm: string): string {
  return Buffer.from(secrets.digest(`${institutionId}:${realm}`, 'eduroam-realm-proof'), 'hex')
    .toString('base64url')
    .slice(0, 32);
}

export const TXT_PREFIX = 'guichet-eduroam=';

export function proofRecord(label: string, secrets: SecretBox, institutionId: string, realm: string) {
  return { name: `${label}.${realm}`, value: `${TXT_PREFIX}${realmToken(secrets, institutionId, realm)}` };
}
