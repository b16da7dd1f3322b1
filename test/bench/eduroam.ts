import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadReport } from './load.js';
import { fmt, median, table } from './util.js';

/*
 * Section "eduroam" of `pnpm bench`.
 *
 *   1. The national proxy for 500 institutions (2 servers and 2 realms each, one with
 *      subrealms): render proxy.conf + clients.conf, stage a release (copy of the template, the
 *      two files) and `freeradius -XC` on it, against `freeradius -XC` on the stock template
 *      (Debian's configuration on loopback ports), interleaved ABAB.
 *   2. One Status-Server probe round over 1,000 servers — 3 real FreeRADIUS servers on
 *      127.0.0.2-4, 997 addresses where nothing answers — through the real probeRound (sealed
 *      secrets opened, one shared socket, results written to an in-memory PGlite), against the
 *      timeout bound (probe timeout × attempts): a round should cost about one bound, whatever
 *      the number of dead servers.
 *
 * BENCH_EDUROAM=0 skips it (run.ts).
 */

const INSTITUTIONS = 500;
const RUNS = 5;
const PROBED = 1000;
const REAL = 3;
const TIMEOUT_MS = 1000;
const ATTEMPTS = 2;

async function timeIt<T>(f: () => T | Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await f();
  return [performance.now() - t0, v];
}

function model500() {
  const institutions = [];
  for (let i = 0; i < INSTITUTIONS; i++) {
    const id = randomUUID();
    institutions.push({
      id,
      shortName: `INST-${i}`,
      realms: [
        { realm: `univ-${i}.example`, subrealms: true },
        { realm: `lab-${i}.univ-${i}.example2`, subrealms: false },
      ],
      servers: [0, 1].map((k) => ({
        id: randomUUID(),
        name: `radius${k}.univ-${i}.example`,
        address: `10.${Math.floor(i / 250)}.${i % 250}.${k + 1}`,
        port: 1812,
        transport: 'udp' as const,
        secret: randomBytes(36)
          .toString('base64')
          .replace(/[^A-Za-z0-9]/g, 'x')
          .slice(0, 48),
      })),
    });
  }
  return { institutions, tld: 'fr' };
}

async function configPart(failures: string[]) {
  const { checkRaddb, renderProxyConfig, stageRelease } = await import('@guichet/eduroam');
  const { freeUdpPortPair, makeRaddb } = await import('@guichet/testkit');
  const base = mkdtempSync(join(tmpdir(), 'bench-eduroam-'));
  try {
    const template = join(base, 'template');
    makeRaddb(template, {
      address: '127.0.0.1',
      authPort: await freeUdpPortPair(),
      innerPort: await freeUdpPortPair(),
    });
    const target = { template, live: join(base, 'live') };
    const model = model500();
    const gen: number[] = [];
    const stageCheck: number[] = [];
    const xcOnly: number[] = [];
    const stock: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const [g, cfg] = await timeIt(() => renderProxyConfig(model));
      gen.push(g);
      bytes = cfg.proxyConf.length + cfg.clientsConf.length;
      const [s, staged] = await timeIt(() => stageRelease(target, cfg, new Date()));
      stageCheck.push(s);
      xcOnly.push(staged.check.ms);
      if (!staged.check.ok)
        failures.push(
          `eduroam: freeradius -XC refused the 500-institution config: ${staged.check.errors.join('; ')}`,
        );
      rmSync(staged.dir, { recursive: true, force: true });
      const [t, r] = await timeIt(() => checkRaddb(template));
      stock.push(t);
      if (!r.ok) failures.push(`eduroam: freeradius -XC refused the stock template: ${r.errors.join('; ')}`);
    }
    return { gen, stageCheck, xcOnly, stock, bytes };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

async function probePart(failures: string[]) {
  const { openDatabase } = await import('@guichet/db');
  const { createEnv } = await import('@guichet/workflow');
  const { eduroamLine, probeRound } = await import('@guichet/eduroam');
  const { startRadius } = await import('@guichet/testkit');
  const { systemContext } = await import('@guichet/core');
  const database = await openDatabase({});
  const env = createEnv({
    database,
    lines: [eduroamLine],
    vars: {
      EDUROAM_ALLOW_PRIVATE_SERVERS: 'true',
      EDUROAM_PROBE_TIMEOUT_MS: String(TIMEOUT_MS),
      EDUROAM_PROBE_ATTEMPTS: String(ATTEMPTS),
      EDUROAM_PROBE_CONCURRENCY: '1024',
    },
  });
  const radius: { stop(): Promise<void> }[] = [];
  try {
    const [inst] = await database.query<{ id: string }>(
      `INSERT INTO membership_institutions (name, short_name, kind, siren, collector) VALUES ('Bench', 'BENCH', 'tutelle', '732829320', 'X') RETURNING id`,
    );
    const secrets: string[] = Array.from({ length: PROBED }, () =>
      randomBytes(36).toString('hex').slice(0, 48),
    );
    for (let i = 0; i < REAL; i++) {
      radius.push(
        await startRadius({
          address: `127.0.0.${i + 2}`,
          clients: `client prober {\n\tipaddr = 127.0.0.1\n\tsecret = ${secrets[i]}\n\trequire_message_authenticator = yes\n}\n`,
        }),
      );
    }
    const rows: string[] = [];
    const secretRows: string[] = [];
    for (let i = 0; i < PROBED; i++) {
      const id = randomUUID();
      const sid = randomUUID();
      const real = radius[i] as unknown as { address: string; authPort: number } | undefined;
      // Dead servers: addresses on loopback where nothing listens (the ICMP error is ignored, as a firewall's silence).
      const address = real ? real.address : `127.0.${10 + Math.floor(i / 250)}.${(i % 250) + 1}`;
      const port = real ? real.authPort : 1812;
      rows.push(`('${id}', '${inst!.id}', 'r${i}', '${address}', ${port})`);
      const sealed = env.secrets.seal(secrets[i]!, `eduroam-secret:${sid}`);
      secretRows.push(
        `('${sid}', '${id}', '${sealed}', '${env.secrets.digest(secrets[i]!, 'bench')}', 'current', now(), now())`,
      );
    }
    await database.query(
      `INSERT INTO eduroam_servers (id, institution_id, name, address, port) VALUES ${rows.join(',')}`,
    );
    await database.query(
      `INSERT INTO eduroam_secrets (id, server_id, sealed, fingerprint, status, created_at, activated_at) VALUES ${secretRows.join(',')}`,
    );
    const rounds: number[] = [];
    let up = 0;
    for (let i = 0; i < 3; i++) {
      const [ms, s] = await timeIt(() => probeRound(env, systemContext('bench'), { due: false }));
      rounds.push(ms);
      up = s.up;
      if (s.probed !== PROBED) failures.push(`eduroam: the round probed ${s.probed} servers, not ${PROBED}`);
    }
    if (up !== REAL) failures.push(`eduroam: ${up} servers answered, expected ${REAL}`);
    return { rounds, up };
  } finally {
    await Promise.all(radius.map((r) => r.stop()));
    await database.close();
  }
}

export async function eduroamSection(): Promise<LoadReport> {
  const failures: string[] = [];
  const c = await configPart(failures);
  const p = await probePart(failures);
  const bound = TIMEOUT_MS * ATTEMPTS;
  const total = median(c.gen) + median(c.stageCheck);
  const lines = [
    `## eduroam — national proxy for ${INSTITUTIONS} institutions (${INSTITUTIONS * 2} servers, ${INSTITUTIONS * 2} realms, ${fmt(c.bytes / 1e6, 2)} MB), ${RUNS} runs (ms)`,
    table(
      ['case', 'median', 'max'],
      [
        ['renderProxyConfig (generation + lint)', fmt(median(c.gen)), fmt(Math.max(...c.gen))],
        ['stage release + freeradius -XC', fmt(median(c.stageCheck)), fmt(Math.max(...c.stageCheck))],
        ['  of which freeradius -XC', fmt(median(c.xcOnly)), fmt(Math.max(...c.xcOnly))],
        ['freeradius -XC on the stock template', fmt(median(c.stock)), fmt(Math.max(...c.stock))],
      ],
    ),
    `generation + check (median): ${fmt(total)} ms (target < 10,000 ms)`,
    '',
    `## eduroam — one Status-Server round over ${PROBED} servers (${p.up} answer, ${PROBED - p.up} silent), timeout ${TIMEOUT_MS} ms × ${ATTEMPTS} attempts`,
    table(
      ['case', 'median', 'max'],
      [
        ['probeRound (probes + one write of the results)', fmt(median(p.rounds)), fmt(Math.max(...p.rounds))],
        ['timeout bound (timeout × attempts)', fmt(bound), fmt(bound)],
      ],
    ),
  ];
  return {
    text: lines.join('\n'),
    ratios: [
      ['eduroam generate + -XC 500 institutions / -XC stock', total / median(c.stock)],
      ['eduroam probe round 1,000 servers / timeout bound', median(p.rounds) / bound],
    ],
    failures,
  };
}
