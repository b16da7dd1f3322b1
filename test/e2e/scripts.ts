import { type ChildProcess, spawn } from 'node:child_process';
import { delay, ROOT, until } from './harness.js';

/**
 * `pnpm start` / `pnpm worker` exactly as an operator (or a supervisor) runs them: pnpm in a
 * process group of its own, so a test can signal pnpm alone ("the process") or the whole group,
 * and then check that nothing of the group is left.
 */
export interface ScriptProcess {
  /** pnpm's pid, also the group id. */
  pid: number;
  stdout(): string;
  /** pino's JSON lines on stdout. */
  logLines(): { level: number; msg?: string; job?: string; [k: string]: unknown }[];
  /** Resolves with the first log line matching, or throws after `timeoutMs`. */
  waitForLog(
    match: (l: { msg?: string; [k: string]: unknown }) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<void>;
  /**
   * One SIGTERM, to pnpm only (`process`) or to the group (`group`); resolves once every member
   * of the group is gone (SIGKILL after `timeoutMs`, reported as `clean: false`).
   */
  stop(target: 'process' | 'group', timeoutMs?: number): Promise<{ clean: boolean; code: number | null }>;
}

const groupAlive = (pid: number): boolean => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

const live = new Set<number>();
process.once('exit', () => {
  for (const pid of live) if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
});

export function startScript(script: 'start' | 'worker', env: Record<string, string>): ScriptProcess {
  // A clean environment: what pnpm (through corepack) and Node need, plus `env`.
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k, v]) =>
        v !== undefined &&
        (['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'].includes(k) || k.startsWith('COREPACK_')),
    ),
  ) as Record<string, string>;
  const proc: ChildProcess = spawn('pnpm', ['--silent', script], {
    cwd: ROOT,
    env: { ...base, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = proc.pid!;
  live.add(pid);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  let code: number | null = null;
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', (c) => {
      code = c;
      resolve();
    }),
  );
  const logLines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
  return {
    pid,
    stdout: () => out,
    logLines,
    async waitForLog(match, timeoutMs, what) {
      try {
        await until(
          async () => logLines().some(match) || (proc.exitCode !== null ? 'exited' : false),
          timeoutMs,
          what,
        );
      } catch (e) {
        throw new Error(
          `${(e as Error).message}\n--- stdout\n${out.slice(-4000)}\n--- stderr\n${err.slice(-2000)}`,
        );
      }
      if (!logLines().some(match))
        throw new Error(`${script} exited before ${what}:\n${out.slice(-4000)}\n${err.slice(-2000)}`);
    },
    async stop(target, timeoutMs = 30_000) {
      process.kill(target === 'group' ? -pid : pid, 'SIGTERM');
      const deadline = Date.now() + timeoutMs;
      while (groupAlive(pid) && Date.now() < deadline) await delay(50);
      const clean = !groupAlive(pid);
      if (!clean) process.kill(-pid, 'SIGKILL');
      await exited;
      live.delete(pid);
      return { clean, code };
    },
  };
}
