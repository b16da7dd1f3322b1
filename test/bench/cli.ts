import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LoadReport } from './load.js';
import { fmt, median, ROOT, start, stop, table, waitFor } from './util.js';

/*
 * Section "cli" of `pnpm bench`: what a script pays for the command and for going one by one.
 *
 *   1. 1,000 prefix requests (BENCH_CLI_ROWS, the issue's size) as 1,000 `requestPrefix` calls (each under an Idempotency-Key, as
 *      `guichet prefix request` sends them) vs 10 `requestPrefixes` calls of 100 keyed items
 *      (what `guichet apply` sends), sequential over one keep-alive connection → time ratio.
 *   2. `guichet whoami` spawned as a user runs it (node, the tsx loader, commander, the config
 *      file) to its answer vs `node -e` doing the same POST with a bare fetch, RUNS of each
 *      interleaved → ratio of the medians (the command's start-up cost).
 *
 * The server is the real app on in-memory PGlite in a child process (cli-server.ts).
 */

/** The issue's size; smaller (a multiple of BATCH) for a quick run. */
const SINGLE = Number(process.env.BENCH_CLI_ROWS ?? 1000);
const BATCH = 100;
const RUNS = 7;
const BIN = join(ROOT, 'packages/cli/bin/guichet.mjs');
const VIEWER = '{ viewer { kind id name authMethod scope staffRoles } }';
const ERR = '... on Error { code message }';
const ONE = `mutation($input: RequestPrefixInput!) { r: requestPrefix(input: $input) { __typename ${ERR} } }`;
const MANY = `mutation($input: RequestPrefixesInput!) { r: requestPrefixes(input: $input) { __typename
  ... on RequestPrefixesPayload { succeeded failed } ${ERR} } }`;

interface Server {
  port: number;
  token: string;
  institutionId: string;
}

export async function cliSection(): Promise<LoadReport> {
  const child = start(process.execPath, ['--import', 'tsx', 'test/bench/cli-server.ts'], { ...process.env });
  const failures: string[] = [];
  try {
    const line = (await waitFor(child, /^\{.*"port".*\}$/m, 120_000))[0];
    const s = JSON.parse(line) as Server;
    const url = `http://127.0.0.1:${s.port}`;
    const post = async (query: string, variables: unknown, key?: string) => {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${s.token}`,
          ...(key ? { 'idempotency-key': key } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as { data?: { r?: Record<string, unknown> }; errors?: unknown[] };
    };
    const input = (tag: string, i: number) => ({
      institutionId: s.institutionId,
      family: 'IPV6',
      length: 48,
      purpose: `bench ${tag} ${i}`,
    });
    // Warm both paths (JIT, prepared plans, the connection) on rows that are not measured.
    for (let i = 0; i < 10; i++) await post(ONE, { input: input('warm', i) }, `warm-${i}`);
    await post(MANY, { input: { items: [{ idempotencyKey: 'warm-bulk', input: input('warm bulk', 0) }] } });

    let t0 = performance.now();
    for (let i = 0; i < SINGLE; i++) {
      const r = await post(ONE, { input: input('one', i) }, `one-${i}`);
      if (r.data?.r?.__typename !== 'RequestPrefixPayload')
        failures.push(`cli: single ${i}: ${JSON.stringify(r)}`);
    }
    const singleMs = performance.now() - t0;
    t0 = performance.now();
    for (let b = 0; b < SINGLE / BATCH; b++) {
      const items = Array.from({ length: BATCH }, (_, i) => ({
        idempotencyKey: `many-${b}-${i}`,
        input: input('many', b * BATCH + i),
      }));
      const r = await post(MANY, { input: { items } });
      if (r.data?.r?.succeeded !== BATCH) failures.push(`cli: bulk ${b}: ${JSON.stringify(r).slice(0, 300)}`);
    }
    const bulkMs = performance.now() - t0;

    const env = { ...process.env, GUICHET_URL: url, GUICHET_TOKEN: s.token, XDG_CONFIG_HOME: '/nonexistent' };
    const fetchScript = `const r = await fetch(${JSON.stringify(`${url}/graphql`)}, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + process.env.GUICHET_TOKEN }, body: JSON.stringify({ query: ${JSON.stringify(VIEWER)} }) }); const j = await r.json(); if (!j.data?.viewer) process.exit(1);`;
    const whoami: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      whoami.push(await timed(process.execPath, [BIN, '--json', 'whoami'], env, failures));
      bare.push(await timed(process.execPath, ['--input-type=module', '-e', fetchScript], env, failures));
    }
    const ratios: [string, number][] = [
      [
        `cli: ${SINGLE} single requestPrefix / ${SINGLE / BATCH} bulk requestPrefixes of ${BATCH} (time)`,
        singleMs / bulkMs,
      ],
      [
        'cli: guichet whoami / node -e fetch (median wall time, spawn to answer)',
        median(whoami) / median(bare),
      ],
    ];
    const text = [
      '## cli (the real app on in-memory PGlite in a child; one keep-alive client)',
      table(
        ['case', 'total ms', 'per request ms'],
        [
          [`${SINGLE} × requestPrefix (keyed)`, fmt(singleMs, 0), fmt(singleMs / SINGLE, 1)],
          [`${SINGLE / BATCH} × requestPrefixes of ${BATCH}`, fmt(bulkMs, 0), fmt(bulkMs / SINGLE, 1)],
        ],
      ),
      table(
        ['command', `median ms (${RUNS} runs)`, 'min ms'],
        [
          ['guichet --json whoami', fmt(median(whoami), 0), fmt(Math.min(...whoami), 0)],
          ['node -e (bare fetch, same query)', fmt(median(bare), 0), fmt(Math.min(...bare), 0)],
        ],
      ),
    ].join('\n');
    return { text, ratios, failures };
  } finally {
    await stop(child);
  }
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, failures: string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('close', (code) => {
      if (code !== 0)
        failures.push(`cli: ${args.join(' ').slice(0, 60)} exited ${code}: ${err.slice(0, 300)}`);
      resolve(performance.now() - t0);
    });
  });
}
