import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** Children, servers and helpers for the bench: every process is ours, killed by its group id. */

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** Everything the child wrote so far (stdout and stderr), for error messages. */
  output(): string;
  exited: Promise<number | null>;
}

const live = new Set<Child>();

/**
 * Each child leads its own process group: `tsx` runs the script in a grandchild, and killing
 * the group reaches it too, where killing the pid alone would leave it running.
 */
export function start(cmd: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(cmd, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const child: Child = { proc, pid: proc.pid!, output: () => out, exited };
  live.add(child);
  void exited.then(() => live.delete(child));
  return child;
}

/** Resolves with the first match of `re` in the child's output; fails on exit or timeout. */
export function waitFor(child: Child, re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = re.exec(child.output());
      if (m) done(() => resolve(m));
    };
    const timer = setTimeout(
      () =>
        done(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${re}\n${tail(child)}`))),
      timeoutMs,
    );
    const onExit = (code: number | null) =>
      // Output may still be in the pipe when 'exit' fires: give it one tick.
      setImmediate(() => {
        check();
        done(() => reject(new Error(`exited (${code}) before printing ${re}\n${tail(child)}`)));
      });
    let finished = false;
    const done = (f: () => void) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      child.proc.stdout!.off('data', check);
      child.proc.stderr!.off('data', check);
      child.proc.off('exit', onExit);
      f();
    };
    child.proc.stdout!.on('data', check);
    child.proc.stderr!.on('data', check);
    child.proc.once('exit', onExit);
    check();
  });
}

function tail(child: Child): string {
  return child.output().split('\n').slice(-15).join('\n');
}

function killGroup(child: Child, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM, then SIGKILL after 3 s. True when the child exited by itself on SIGTERM. */
export async function stop(child: Child): Promise<boolean> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return true;
  killGroup(child, 'SIGTERM');
  const clean = await Promise.race([child.exited.then(() => true), sleep(3000).then(() => false)]);
  if (!clean) {
    killGroup(child, 'SIGKILL');
    await child.exited;
  }
  // The tsx wrapper may exit before its grandchild: sweep the group either way.
  killGroup(child, 'SIGKILL');
  return clean;
}

/** On Ctrl-C: let servers shut down properly (the PostgreSQL one drops its database). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((c) => stop(c)));
}

const exitTasks = new Set<() => void>();

/** A synchronous clean-up (a temp dir) that must run even if run.ts dies; returns its remover. */
export function onAbort(task: () => void): () => void {
  exitTasks.add(task);
  return () => exitTasks.delete(task);
}

/** Last resort when run.ts itself dies: nothing it started may outlive it. */
export function killAllNow(): void {
  for (const c of live) killGroup(c, 'SIGKILL');
  for (const task of exitTasks) task();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function rssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Samples a process's RSS every 100 ms until stopped; returns the peak in kB. */
export function sampleRss(pid: number): { stop(): { peakKb: number; samples: number[] } } {
  const samples: number[] = [rssKb(pid)];
  const timer = setInterval(() => {
    try {
      samples.push(rssKb(pid));
    } catch {
      // The process ended; the load case will report its own errors.
    }
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return { peakKb: Math.max(...samples), samples };
    },
  };
}

/** Samples this process's RSS every 100 ms until stopped, in bytes; heap used after a full GC
 * before and after (NaN unless node runs with --expose-gc: retained memory, not garbage). */
export function memorySampler() {
  const gc = (globalThis as { gc?: () => void }).gc;
  const heap = () => {
    if (!gc) return Number.NaN;
    gc();
    return process.memoryUsage().heapUsed;
  };
  const heapBefore = heap();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      const after = process.memoryUsage().rss;
      return { before, peak: Math.max(peak, after), after, heapBefore, heapAfter: heap() };
    },
  };
}

/** This process's CPU time ÷ wall time (1 = one core) and event loop utilisation, until stop(). */
export function loadProbe() {
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  return {
    stop() {
      const cpu = process.cpuUsage(cpu0);
      return {
        cpu: (cpu.user + cpu.system) / 1000 / (performance.now() - t0),
        elu: performance.eventLoopUtilization(elu0).utilization,
      };
    },
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : Number.NaN;
}

/** Nearest-rank percentile. */
export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : Number.NaN;
}

export function portAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** A plain-text table; numbers right-aligned. */
export function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[], isHead = false) =>
    r
      .map((c, i) => (isHead || Number.isNaN(Number(c)) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ');
  return [
    line(head, true),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map((r) => line(r)),
  ].join('\n');
}

export const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
export const mb = (kb: number) => fmt(kb / 1024, 0);
