import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

/**
 * The life of a throwaway daemon in a test (slapd, bird, …): spawned directly — no shell, so
 * the PID is the daemon's — under `setpriv --pdeathsig KILL` where available, so it dies with
 * the test process even on SIGKILL; stderr kept for error messages; `stop()` sends SIGTERM,
 * waits up to 3 s, then SIGKILL, and removes the daemon's directory. Idempotent.
 */
const HAS_SETPRIV = existsSync('/usr/bin/setpriv');
const STOP_GRACE_MS = 3000;

export interface Daemon {
  child: ChildProcess;
  /** The last `stderrLimit` characters the daemon wrote to stderr. */
  stderr(): string;
  /** Whether it has exited (or was killed). */
  exited(): boolean;
  /** Resolves when the process is gone. */
  gone: Promise<number | null>;
  stop(): Promise<void>;
  /** For a daemon that died by itself: drop the exit hook but keep its directory (to retry in it). */
  forget(): void;
}

export function spawnDaemon(binary: string, args: string[], dir: string, stderrLimit = 16_000): Daemon {
  const [cmd, argv] = HAS_SETPRIV ? ['setpriv', ['--pdeathsig', 'KILL', binary, ...args]] : [binary, args];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-stderrLimit);
  });
  const gone = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', () => {}); // ENOENT and the like also end in 'exit'; the reason is in stderr
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  // A test runner that ends without calling stop() must not leave the daemon behind.
  const onProcessExit = () => {
    if (!exited()) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onProcessExit);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      process.removeListener('exit', onProcessExit);
      if (!exited()) {
        child.kill('SIGTERM');
        const done = await Promise.race([gone.then(() => true), delay(STOP_GRACE_MS).then(() => false)]);
        if (!done) {
          child.kill('SIGKILL');
          await gone;
        }
      }
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  const forget = () => process.removeListener('exit', onProcessExit);
  return { child, stderr: () => stderr, exited, gone, stop, forget };
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
