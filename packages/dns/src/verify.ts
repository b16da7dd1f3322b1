import { query, type Rr } from './client.js';
import { type DsRecord, fqdn, type NameServer, normalizeZone } from './zone/render.js';

/** An authoritative server, as Guichet reaches it. */
export interface ServerAddress {
  address: string;
  port: number;
}

const names = (rrs: Rr[], type: string) =>
  rrs
    .filter((r) => r.type === type)
    .map((r) => normalizeZone(String(r.data)))
    .sort();

/** Asks over UDP, then TCP when the answer was truncated. */
export async function ask(
  server: ServerAddress,
  name: string,
  type: 'SOA' | 'NS' | 'DS' | 'CNAME' | 'TXT' | 'MX',
) {
  const address = server.address.replace(/\/\d+$/, '');
  const a = await query(address, server.port, fqdn(name), type, { timeoutMs: 3000 });
  return a.tc ? query(address, server.port, fqdn(name), type, { tcp: true, timeoutMs: 3000 }) : a;
}

/** The serial the server serves for a zone (undefined when it serves none). */
export async function servedSerial(server: ServerAddress, zone: string): Promise<number | undefined> {
  const soa = await ask(server, zone, 'SOA');
  const served = soa.answers.find((r) => r.type === 'SOA');
  return served?.type === 'SOA' ? served.data.serial : undefined;
}

/**
 * Proves that a parent's server publishes a delegation: its SOA serial has reached `serial`,
 * it refers the child to exactly the requested name servers and serves exactly the requested
 * DS records. Throws, naming what differs, otherwise (the publication step then retries).
 */
export async function verifyDelegationServed(
  server: ServerAddress,
  parentZone: string,
  serial: number,
  child: { zone: string; nameservers: readonly NameServer[]; ds: readonly DsRecord[] },
): Promise<void> {
  const got = await servedSerial(server, parentZone);
  if (got === undefined || got < serial) {
    throw new Error(`${parentZone} on ${server.address}: serves serial ${got ?? 'none'}, expected ${serial}`);
  }
  const ns = await ask(server, child.zone, 'NS');
  const gotNs = names([...ns.authorities, ...ns.answers], 'NS').filter((n, i, a) => a.indexOf(n) === i);
  const wantNs = child.nameservers.map((n) => normalizeZone(n.name)).sort();
  if (gotNs.join() !== wantNs.join()) {
    throw new Error(
      `${child.zone}: the parent refers to [${gotNs.join(', ')}], expected [${wantNs.join(', ')}]`,
    );
  }
  if (child.ds.length) {
    const ds = await ask(server, child.zone, 'DS');
    const gotDs = ds.answers
      .flatMap((r) =>
        r.type === 'DS'
          ? [
              `${r.data.keyTag} ${r.data.algorithm} ${r.data.digestType} ${r.data.digest.toString('hex').toUpperCase()}`,
            ]
          : [],
      )
      .sort();
    const want = child.ds
      .map((d) => `${d.keyTag} ${d.algorithm} ${d.digestType} ${d.digest.toUpperCase()}`)
      .sort();
    if (gotDs.join() !== want.join()) {
      throw new Error(
        `${child.zone}: the parent serves DS [${gotDs.join('; ')}], expected [${want.join('; ')}]`,
      );
    }
  }
}

/** The CNAME target a server answers for a name (lower-case, no final dot), if any. */
export async function servedCname(server: ServerAddress, name: string): Promise<string | undefined> {
  const c = await ask(server, name, 'CNAME');
  return names(c.answers, 'CNAME')[0];
}
