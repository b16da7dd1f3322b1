import { type Db, desc, eq, sql } from '@guichet/db';
import { prefixRange } from '@guichet/net';
import { query, type Rr } from './check/index.js';
import { normalizeZone } from './model.js';
import { currentPublisher } from './runtime.js';
import { delegations, parentZones, parentZoneVersions } from './tables.js';

/**
 * Getting parent zone versions onto the operator's server, and proving they are there.
 *
 * A version is rendered and validated inside the transaction that changes a delegation
 * (service.ts); pushing it to the server happens after commit, here, so a rolled-back change
 * is never served. Pushes of one parent zone are serialised by its row lock, and each push
 * sends the LATEST version: two publications racing cannot leave the older text served.
 * `pushed_serial` records what the server was given; `syncParentZones` (a job) pushes every
 * zone whose latest version is newer — withdrawals reach the server that way.
 */

export type ParentZoneRow = typeof parentZones.$inferSelect;

export interface PushResult {
  zone: string;
  serial: number | null;
  /** False when the server already had that version, or no publisher is installed. */
  pushed: boolean;
}

/** Pushes the latest version of a parent zone when the server does not have it yet. */
export async function pushParentZone(db: Db, parentZoneId: string): Promise<PushResult> {
  const publish = currentPublisher();
  return db.transaction(async (tx) => {
    const [parent] = await tx
      .select()
      .from(parentZones)
      .where(eq(parentZones.id, parentZoneId))
      .for('update');
    if (!parent) throw new Error(`parent zone ${parentZoneId} does not exist`);
    const [latest] = await tx
      .select()
      .from(parentZoneVersions)
      .where(eq(parentZoneVersions.parentZoneId, parentZoneId))
      .orderBy(desc(parentZoneVersions.serial))
      .limit(1);
    if (!latest) return { zone: parent.zone, serial: null, pushed: false };
    if (!publish || parent.pushedSerial === latest.serial) {
      return { zone: parent.zone, serial: latest.serial, pushed: false };
    }
    await publish(parent.zone, latest.text);
    await tx
      .update(parentZones)
      .set({ pushedSerial: latest.serial, pushedAt: sql`now()` })
      .where(eq(parentZones.id, parentZoneId));
    return { zone: parent.zone, serial: latest.serial, pushed: true };
  });
}

/** Pushes every parent zone whose latest version the server has not been given. */
export async function syncParentZones(db: Db): Promise<PushResult[]> {
  if (!currentPublisher()) return [];
  const stale = await db
    .select({ id: parentZones.id })
    .from(parentZones)
    .where(
      sql`${parentZones.pushedSerial} IS DISTINCT FROM (SELECT max(v.serial) FROM ${parentZoneVersions} v WHERE v.parent_zone_id = ${parentZones.id})`,
    );
  const out: PushResult[] = [];
  for (const p of stale) out.push(await pushParentZone(db, p.id));
  return out;
}

const fqdn = (n: string) => `${normalizeZone(n)}.`;
const names = (rrs: Rr[], type: string) =>
  rrs
    .filter((r) => r.type === type)
    .map((r) => normalizeZone(String(r.data)))
    .sort();

/** Asks the parent's server over UDP, then TCP when the answer was truncated. */
async function ask(parent: ParentZoneRow, name: string, type: 'SOA' | 'NS' | 'DS' | 'CNAME') {
  const server = parent.serverAddress.replace(/\/\d+$/, '');
  const a = await query(server, parent.serverPort, fqdn(name), type, { timeoutMs: 3000 });
  return a.tc ? query(server, parent.serverPort, fqdn(name), type, { tcp: true, timeoutMs: 3000 }) : a;
}

/**
 * Proves that the parent's server publishes a delegation: its SOA serial has reached `serial`,
 * it refers the zone to exactly the requested name servers, serves exactly the requested DS
 * records, and (RFC 2317) answers the CNAME of the range's first address. Throws, naming what
 * differs, otherwise — the publication step then retries.
 */
export async function verifyDelegation(db: Db, delegationId: string, serial: number): Promise<void> {
  const [row] = await db.select().from(delegations).where(eq(delegations.id, delegationId));
  if (!row?.parentZoneId) return;
  const [parent] = await db.select().from(parentZones).where(eq(parentZones.id, row.parentZoneId));
  if (!parent) return;
  const soa = await ask(parent, parent.zone, 'SOA');
  const served = soa.answers.find((r) => r.type === 'SOA');
  const servedSerial = served?.type === 'SOA' ? served.data.serial : undefined;
  if (servedSerial === undefined || servedSerial < serial) {
    throw new Error(
      `${parent.zone} on ${parent.serverAddress}: serves serial ${servedSerial ?? 'none'}, expected ${serial}`,
    );
  }
  const ns = await ask(parent, row.zone, 'NS');
  const gotNs = names([...ns.authorities, ...ns.answers], 'NS').filter((n, i, a) => a.indexOf(n) === i);
  const wantNs = row.nameservers.map((n) => normalizeZone(n.name)).sort();
  if (gotNs.join() !== wantNs.join()) {
    throw new Error(
      `${row.zone}: the parent refers to [${gotNs.join(', ')}], expected [${wantNs.join(', ')}]`,
    );
  }
  if (row.ds.length) {
    const ds = await ask(parent, row.zone, 'DS');
    const got = ds.answers
      .flatMap((r) =>
        r.type === 'DS'
          ? [
              `${r.data.keyTag} ${r.data.algorithm} ${r.data.digestType} ${r.data.digest.toString('hex').toUpperCase()}`,
            ]
          : [],
      )
      .sort();
    const want = row.ds
      .map((d) => `${d.keyTag} ${d.algorithm} ${d.digestType} ${d.digest.toUpperCase()}`)
      .sort();
    if (got.join() !== want.join()) {
      throw new Error(`${row.zone}: the parent serves DS [${got.join('; ')}], expected [${want.join('; ')}]`);
    }
  }
  if (row.zone.split('.')[0]?.includes('-')) {
    // RFC 2317: the /24 answers a CNAME for the first address into the child zone.
    const first = prefixRange(row.prefix).first;
    const last = Number(first & 255n);
    const owner = `${last}.${row.zone.split('.').slice(1).join('.')}`;
    const c = await ask(parent, owner, 'CNAME');
    const target = names(c.answers, 'CNAME')[0];
    if (target !== `${last}.${normalizeZone(row.zone)}`) {
      throw new Error(`${owner}: the parent answers CNAME ${target ?? 'none'}, expected ${last}.${row.zone}`);
    }
  }
}
