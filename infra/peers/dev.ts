import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_PEERS, type RunningPeer } from './dev-peers.js';

/*
 * `pnpm peer`                      lists the peers
 * `pnpm peer slapd smtp knot:zone` starts them on loopback, prints the variables that point
 *                                  Guichet at them (and writes them to .tmp/peers.env), and
 *                                  stops them all on Ctrl-C or SIGTERM
 *
 * Then, in another shell: `env $(cat .tmp/peers.env) pnpm start`.
 */

const log = (line: string) => process.stdout.write(`${line}\n`);
const requested = process.argv.slice(2);

if (requested.length === 0 || requested.includes('--help')) {
  log('usage: pnpm peer <peer>[:arg,arg] …   (Ctrl-C stops them)');
  for (const [name, peer] of Object.entries(DEV_PEERS)) log(`  ${name.padEnd(9)} ${peer.description}`);
  log('install them first: infra/peers/install.sh');
  process.exit(requested.length === 0 ? 2 : 0);
}

const running: { name: string; peer: RunningPeer }[] = [];
let stopping = false;
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const { name, peer } of running.reverse()) {
      await peer.stop().catch((e: unknown) => log(`${name}: stop failed: ${String(e)}`));
      log(`${name}: stopped`);
    }
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

const env: Record<string, string> = {};
for (const spec of requested) {
  const [name = '', rest = ''] = spec.split(/:(.*)/s);
  const peer = DEV_PEERS[name];
  if (!peer) {
    log(`unknown peer "${name}"; known: ${Object.keys(DEV_PEERS).join(', ')}`);
    await stopAll(2);
    continue;
  }
  try {
    const started = await peer.start(rest ? rest.split(',') : [], (line) => log(`${name}: ${line}`));
    running.push({ name, peer: started });
    Object.assign(env, started.env);
    log(`${name}: ${peer.description}`);
    for (const [k, v] of Object.entries(started.env)) log(`  ${k}=${v}`);
    for (const note of started.notes) log(`  ${note}`);
  } catch (e) {
    const hint = peer.packages.length
      ? ` (packages: ${peer.packages.join(' ')}; infra/peers/install.sh)`
      : '';
    log(`${name}: could not start: ${e instanceof Error ? e.message : String(e)}${hint}`);
    await stopAll(1);
  }
}
const envFile = join(import.meta.dirname, '../../.tmp/peers.env');
mkdirSync(join(envFile, '..'), { recursive: true });
writeFileSync(
  envFile,
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}\n`)
    .join(''),
);
log('variables written to .tmp/peers.env — Ctrl-C stops every peer');
// Keep running until a signal: the launchers' exit hooks would otherwise stop the daemons.
setInterval(() => {}, 1 << 30);
