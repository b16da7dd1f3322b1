import { randomUUID } from 'node:crypto';
import {
  allocateVlan,
  createDevice,
  createPop,
  createPort,
  type Design,
  designSchema,
  designViolations,
  type EndpointFact,
  type Need,
  type PortFact,
} from '@guichet/circuits';
import type { Database } from '@guichet/db';
import { childEntry, nocContext as ctx, runChildSection } from './child-db.js';
import type { LoadReport } from './load.js';
import { fmt, median, table } from './util.js';

/*
 * Section "circuits" of `pnpm bench`:
 *
 *   1. VLAN allocation under 16 concurrent clients in one scope (allocateVlan: lock the port row,
 *      one INSERT … SELECT of the lowest free VID over its ranges) vs 16 clients doing raw
 *      single-row INSERTs of distinct VIDs into the same unique index (port, vid) of another
 *      port, in rounds taken ABBA (each round fills 2,000 VIDs, then the rows are deleted) →
 *      allocations/s ÷ inserts/s; then duplicates (must be 0) and unexpected errors.
 *   2. Design validation of a 50-member multipoint L3VPN (designViolations: every rule over 50
 *      attachments, ports, sessions) vs parsing the same design input with its zod schema, ABAB.
 *
 * Runs in a child process on a throwaway PostgreSQL database (BENCH_DATABASE_URL), else
 * in-memory PGlite. BENCH_CIRCUITS=0 skips it (run.ts).
 */

const CLIENTS = 16;
const PER_ROUND = 2000;
const ROUNDS = 4;
const DESIGN_RUNS = 2000;

export function circuitsSection(adminUrl?: string): Promise<LoadReport> {
  return runChildSection('test/bench/circuits.ts', adminUrl, { reportTimeoutMs: 300_000 });
}

const now = () => performance.now();

async function clients(
  n: number,
  total: number,
  op: (i: number) => Promise<unknown>,
): Promise<{ ms: number; errors: string[] }> {
  let next = 0;
  const errors: string[] = [];
  const t0 = now();
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let i = next++; i < total; i = next++) {
        try {
          await op(i);
        } catch (e) {
          errors.push(e instanceof Error ? e.message : String(e));
        }
      }
    }),
  );
  return { ms: now() - t0, errors };
}

async function vlanSection(database: Database) {
  const { db } = database;
  const q = database.query.bind(database);
  const [inst] = await q<{ id: string }>(
    `INSERT INTO membership_institutions (name, short_name, kind, siren, collector) VALUES ('Bench', 'BENCH-C', 'tutelle', '123456789', 'X') RETURNING id`,
  );
  const [circuit] = await q<{ id: string }>(
    `INSERT INTO circuits_circuits (institution_id, request_id, name, topology, service, bandwidth_mbps) VALUES ($1, $2, 'bench', 'p2p', 'ethernet', 1) RETURNING id`,
    [inst!.id, randomUUID()],
  );
  const pop = await createPop(db, ctx(), { code: 'BENCH', name: 'Bench', city: 'Paris' });
  const dev = await createDevice(db, ctx(), { popId: pop.id, name: 'bench-acc1', routerId: '10.99.0.1' });
  const mk = (name: string) =>
    createPort(db, ctx(), {
      deviceId: dev.id,
      name,
      speedMbps: 10000,
      l2Mtu: 9216,
      mode: 'shared',
      vlanRanges: [{ from: 1, to: 4094 }],
    });
  const scope = await mk('xe-0/0/0');
  const raw = await mk('xe-0/0/1');
  const circuitId = circuit!.id;
  const alloc = () =>
    clients(CLIENTS, PER_ROUND, () =>
      db.transaction((tx) => allocateVlan(tx, { portId: scope.id, circuitId })),
    );
  const insert = () =>
    clients(CLIENTS, PER_ROUND, (i) =>
      q('INSERT INTO circuits_vlans (port_id, vid, circuit_id) VALUES ($1, $2, $3)', [
        raw.id,
        i + 1,
        circuitId,
      ]),
    );
  const rates = { alloc: [] as number[], insert: [] as number[] };
  const failures: string[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const which of r % 2 === 0 ? (['alloc', 'insert'] as const) : (['insert', 'alloc'] as const)) {
      const res = await (which === 'alloc' ? alloc() : insert());
      if (res.errors.length) failures.push(`${which}: ${res.errors.length} errors (${res.errors[0]})`);
      rates[which].push((PER_ROUND / res.ms) * 1000);
      if (which === 'alloc') {
        const [dup] = await q<{ n: string }>(
          `SELECT count(*)::text AS n FROM (SELECT vid FROM circuits_vlans WHERE port_id = $1 GROUP BY vid HAVING count(*) > 1) d`,
          [scope.id],
        );
        const [count] = await q<{ n: string }>(
          'SELECT count(*)::text AS n FROM circuits_vlans WHERE port_id = $1',
          [scope.id],
        );
        if (dup?.n !== '0') failures.push(`duplicates: ${dup?.n}`);
        if (count?.n !== String(PER_ROUND))
          failures.push(`allocations held: ${count?.n}, expected ${PER_ROUND}`);
      }
      // Empty the scope again for the next round (its free list with it).
      await q('DELETE FROM circuits_vlans WHERE port_id = $1', [which === 'alloc' ? scope.id : raw.id]);
      await q('UPDATE circuits_ports SET vlan_free = vlan_ranges WHERE id = $1', [
        which === 'alloc' ? scope.id : raw.id,
      ]);
    }
  }
  return { rates, failures };
}

function designCase(members: number) {
  const ports = new Map<string, PortFact>();
  const eps: EndpointFact[] = [];
  const attachments: Design['attachments'] = [];
  for (let i = 0; i < members; i++) {
    const id = randomUUID();
    const portId = randomUUID();
    ports.set(portId, {
      id: portId,
      label: `pe${i % 5} xe-0/0/${i}`,
      speedMbps: 10000,
      mode: 'shared',
      capacityMbps: 10000,
      reservedMbps: 0,
      l2Mtu: 9216,
      dedicatedInUse: false,
    });
    eps.push({
      id,
      siteId: randomUUID(),
      label: `INST-${i} / Site`,
      prefixLimit: 100,
      prefixes: [`10.${i}.0.0/16`],
      hub: false,
    });
    attachments.push({
      endpointId: id,
      path: 'primary',
      portId,
      vids: [],
      cvlans: [],
      bgp: {
        localAddress: `10.255.${i}.0`,
        peerAddress: `10.255.${i}.1`,
        peerAsn: 65000 + i,
        prefixLimit: 100,
      },
    });
  }
  const need: Need = {
    topology: 'multipoint',
    service: 'ip',
    bandwidthMbps: 100,
    backup: false,
    ipv6: false,
    multicast: false,
    endpoints: eps.map((e) => ({
      siteId: e.siteId,
      institutionId: 'x',
      prefixLimit: 100,
      prefixes: e.prefixes,
    })),
  };
  const input = {
    technology: 'l3vpn',
    vpnTopology: 'mesh',
    attachments: JSON.parse(JSON.stringify(attachments)),
  };
  return { need, eps, ports, input };
}

function designBench() {
  const c = designCase(50);
  const limits = { sharedMaxMbps: 1000, dedicatedMaxMbps: 10000, maxPrefixLimit: 1000 };
  const design = { ...(designSchema.parse(c.input) as unknown as Design), payloadMtu: 1500 };
  const failures: string[] = [];
  if (designViolations(c.need, c.eps, design, c.ports, limits).length)
    failures.push('the bench design is refused');
  const time = (f: () => unknown) => {
    const t0 = now();
    for (let i = 0; i < DESIGN_RUNS; i++) f();
    return ((now() - t0) * 1000) / DESIGN_RUNS; // µs per run
  };
  const v: number[] = [];
  const p: number[] = [];
  for (let r = 0; r < 6; r++) {
    v.push(time(() => designViolations(c.need, c.eps, design, c.ports, limits)));
    p.push(time(() => designSchema.parse(c.input)));
  }
  return { validate: median(v), parse: median(p), failures };
}

async function measure(database: Database, engine: string): Promise<LoadReport> {
  const vlan = await vlanSection(database);
  const d = designBench();
  const a = median(vlan.rates.alloc);
  const i = median(vlan.rates.insert);
  const text = [
    `## circuits — ${engine}`,
    '',
    `VLAN allocation, ${CLIENTS} clients in one scope, ${ROUNDS} rounds of ${PER_ROUND} (median of rounds):`,
    table(
      ['case', 'per second'],
      [
        ['allocateVlan (lock + next free VID)', fmt(a, 0)],
        ['raw INSERT, same unique index', fmt(i, 0)],
      ],
    ),
    '',
    `Design validation of a 50-member multipoint L3VPN (median of 6 × ${DESIGN_RUNS}):`,
    table(
      ['case', 'µs per run'],
      [
        ['designViolations', fmt(d.validate, 1)],
        ['zod parse of the input', fmt(d.parse, 1)],
      ],
    ),
  ].join('\n');
  return {
    text,
    ratios: [
      ['circuits VLAN allocation / raw INSERT (16 clients, one scope)', a / i],
      ['circuits 50-member L3VPN design validation / input parse', d.validate / d.parse],
    ],
    failures: [...vlan.failures, ...d.failures].map((f) => `circuits: ${f}`),
  };
}

childEntry(import.meta.url, { name: 'circuits', max: CLIENTS + 4, measure });
