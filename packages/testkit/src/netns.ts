import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * A command in a fresh network namespace (`unshare -n`, root only) that holds nothing but `lo`,
 * brought up first: for peers that only speak on well-known ports (zonemaster-cli asks port 53
 * only, reference/peers.md §3). Inside, 127.0.0.x:53 is free and nothing can leave the machine.
 *
 * The namespace lives as long as its processes. The command is spawned as
 * `setpriv --pdeathsig KILL unshare -n sh -c 'ip link set lo up && exec "$@"'`: setpriv, unshare
 * and sh all exec, so the pid is the command's, it dies with the caller even on SIGKILL, and
 * daemons it starts through spawnDaemon (pdeathsig again) die with it. It also leads its own
 * process group: on timeout the group gets SIGTERM (time to clean up), SIGKILL 3 s later; when the
 * caller exits, SIGKILL at once.
 */

const HAS_SETPRIV = existsSync('/usr/bin/setpriv');
const BRING_UP_LO = 'ip link set lo up && exec "$@"';
const STOP_GRACE_MS = 3000;

export interface NetnsResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface NetnsOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

function wrap(argv: string[]): [string, string[]] {
  const inner = ['unshare', '-n', '--', 'sh', '-c', BRING_UP_LO, 'netns', ...argv];
  return HAS_SETPRIV ? ['setpriv', ['--pdeathsig', 'KILL', ...inner]] : [inner[0]!, inner.slice(1)];
}

/** Why commands cannot run in a fresh network namespace here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  const [cmd, args] = wrap(['true']);
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return `${cmd}: ${r.error.message}`;
  return r.status === 0 ? undefined : `unshare -n failed (${r.status}): ${r.stderr.trim()}`;
}

/** Runs `argv` in a fresh network namespace; resolves when it exits (whatever its exit code). */
export function runInNetns(argv: string[], opts: NetnsOptions = {}): Promise<NetnsResult> {
  const [cmd, args] = wrap(argv);
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killGroup = (signal: NodeJS.Signals = 'SIGKILL') => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  const onExit = () => killGroup();
  process.once('exit', onExit);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    let timedOut = false;
    let grace: NodeJS.Timeout | undefined;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          killGroup('SIGTERM');
          grace = setTimeout(killGroup, STOP_GRACE_MS);
        }, opts.timeoutMs)
      : undefined;
    child.once('error', (e) => {
      clearTimeout(timer);
      process.removeListener('exit', onExit);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(grace);
      // Whatever the command left in its group (a daemon it forgot) goes too.
      killGroup();
      process.removeListener('exit', onExit);
      if (timedOut)
        reject(new Error(`${argv.join(' ')}: no exit after ${opts.timeoutMs} ms\n${stderr.slice(-4000)}`));
      else resolve({ code, signal, stdout, stderr });
    });
  });
}
