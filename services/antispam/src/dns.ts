import { getServers } from 'node:dns';
import type { SecretBox } from '@guichet/core';
import { type DnsAnswer, query } from '@guichet/dns';

/**
 * Domain proofs: the TXT strings at `<label>.<domain>`, asked through the shared DNS client
 * (@guichet/dns) of the configured resolvers (ANTISPAM_DNS_SERVERS, else the system's).
 */
export interface ProofDns {
  /** Each TXT record's strings joined; [] when the name has none. Throws when DNS cannot tell. */
  txt(name: string): Promise<string[]>;
}

function parseResolver(text: string): { address: string; port: number } {
  const t = text.trim();
  const v6 = /^\[([0-9a-fA-F:]+)\](?::(\d+))?$/.exec(t);
  if (v6) return { address: v6[1] as string, port: Number(v6[2] ?? 53) };
  if (t.split(':').length > 2) return { address: t, port: 53 };
  const [address, port] = t.split(':');
  return { address: address as string, port: Number(port ?? 53) };
}

export function dnsClientProofDns(servers?: readonly string[], timeoutMs = 3000): ProofDns {
  const resolvers = () => (servers?.length ? servers : getServers()).map(parseResolver);
  const ask = async (name: string): Promise<DnsAnswer> => {
    let last: unknown = new Error('no resolver configured');
    for (const r of resolvers()) {
      try {
        let a = await query(r.address, r.port, name, 'TXT', { rd: true, timeoutMs });
        if (a.tc) a = await query(r.address, r.port, name, 'TXT', { rd: true, timeoutMs, tcp: true });
        if (a.rcode === 'NOERROR' || a.rcode === 'NXDOMAIN') return a;
        last = new Error(`${r.address}: ${a.rcode} for ${name} TXT`);
      } catch (e) {
        last = e;
      }
    }
    throw last;
  };
  return {
    async txt(name) {
      const a = await ask(name);
      if (a.rcode === 'NXDOMAIN') return [];
      return a.answers
        .filter((rr) => rr.type === 'TXT')
        .map((rr) => {
          const data = (rr as { data: Buffer | string | (Buffer | string)[] }).data;
          return (Array.isArray(data) ? data : [data]).map((d) => d.toString()).join('');
        });
    },
  };
}

export const TXT_PREFIX = 'guichet-antispam=';

/** The record that proves `institutionId` holds `domain`: derived, so it can be shown before filing. */
export function domainProof(label: string, secrets: SecretBox, institutionId: string, domain: string) {
  const token = Buffer.from(secrets.digest(`${institutionId}:${domain}`, 'antispam-domain-proof'), 'hex')
    .toString('base64url')
    .slice(0, 32);
  return { name: `${label}.${domain}`, value: `${TXT_PREFIX}${token}` };
}

/** What the cut-over poll needs: the MX of a domain as each of its authoritative servers serves it. */
export interface MxDns {
  authoritativeMx(domain: string): Promise<{
    servers: string[];
    records: { exchange: string; preference: number }[];
  }>;
}

const rrName = (rr: { data?: unknown }) =>
  String(rr.data ?? '')
    .toLowerCase()
    .replace(/\.$/, '');

/**
 * The domain's NS from the resolvers, each NS's address (glue, else an A query), then MX asked
 * of every authoritative server without recursion (a non-authoritative answer is refused): a
 * secondary that still serves the old MX is seen, where a resolver's cache would hide it.
 * `authPort` is 53 except in tests (a Knot on a loopback port).
 */
export function dnsClientMxDns(servers?: readonly string[], authPort = 53, timeoutMs = 3000): MxDns {
  const resolvers = () => (servers?.length ? servers : getServers()).map(parseResolver);
  const viaResolvers = async (name: string, type: 'NS' | 'A') => {
    let last: unknown = new Error('no resolver configured');
    for (const r of resolvers()) {
      try {
        const a = await query(r.address, r.port, name, type, { rd: true, timeoutMs });
        if (a.rcode === 'NOERROR') return a;
        last = new Error(`${r.address}: ${a.rcode} for ${name} ${type}`);
      } catch (e) {
        last = e;
      }
    }
    throw last;
  };
  return {
    async authoritativeMx(domain) {
      const ns = await viaResolvers(domain, 'NS');
      const names = [...new Set(ns.answers.filter((rr) => rr.type === 'NS').map(rrName))].sort();
      if (!names.length) throw new Error(`${domain} has no NS records`);
      const records = new Map<string, { exchange: string; preference: number }>();
      for (const n of names) {
        let addr = ns.additionals.find((rr) => rr.type === 'A' && rr.name.toLowerCase() === n);
        if (!addr) addr = (await viaResolvers(n, 'A')).answers.find((rr) => rr.type === 'A');
        if (!addr) throw new Error(`no address for the name server ${n}`);
        let a = await query(String(addr.data), authPort, domain, 'MX', { rd: false, timeoutMs });
        if (a.tc)
          a = await query(String(addr.data), authPort, domain, 'MX', { rd: false, timeoutMs, tcp: true });
        if (a.rcode !== 'NOERROR' || !a.aa)
          throw new Error(`${n}: no authoritative MX answer for ${domain} (${a.rcode})`);
        for (const rr of a.answers)
          if (rr.type === 'MX') {
            const d = rr.data as { exchange: string; preference: number };
            const exchange = d.exchange.toLowerCase().replace(/\.$/, '');
            records.set(`${d.preference} ${exchange}`, { exchange, preference: d.preference });
          }
      }
      return { servers: names, records: [...records.values()] };
    },
  };
}
