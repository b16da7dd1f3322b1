import { spawn } from 'node:child_process';
import { UnavailableError } from './errors.js';

/**
 * Runs an external program (bird -p, named-checkzone, knotc, freeradius -XC, postfix check…).
 * The one way Guichet starts a process: a timeout always applies (a hung tool kills itself,
 * not the request), output is captured up to a bound, and the exit code is returned rather
 * than thrown — callers decide what a non-zero code means. Never call it while a transaction
 * holds a lock: render inside the transaction, check outside it.
 */

export interface ToolOptions {
  /** Killed (SIGKILL) after this long; default 30 s. */
  timeoutMs?: number;
  /** Written to the program's stdin, then stdin is closed. */
  input?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Bytes of stdout/stderr kept (each); default 1 MiB. */
  maxOutput?: number;
}

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export function runTool(cmd: string, args: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const max = opts.maxOutput ?? 1024 * 1024;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      ...(opts.env ? { env: opts.env } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    child.stdout?.on('data', (b: Buffer) => {
      if (outLen < max) out.push(b);
      outLen += b.length;
    });
    child.stderr?.on('data', (b: Buffer) => {
      if (errLen < max) err.push(b);
      errLen += b.length;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        e.code === 'ENOENT'
          ? new UnavailableError(cmd, `${cmd} is not installed (not found on PATH)`)
          : new UnavailableError(cmd, `${cmd} could not start: ${e.message}`),
      );
    });
    if (opts.input !== undefined) {
      child.stdin?.on('error', () => {}); // a tool that exits before reading all its input
      child.stdin?.end(opts.input);
    }
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8').slice(0, max),
        stderr: Buffer.concat(err).toString('utf8').slice(0, max),
        timedOut,
        durationMs: performance.now() - started,
      });
    });
  });
}

/** Like runTool, but a non-zero exit or a timeout throws, with the tool's stderr in the message. */
export async function runToolOk(
  cmd: string,
  args: readonly string[],
  opts: ToolOptions = {},
): Promise<ToolResult> {
  const r = await runTool(cmd, args, opts);
  if (r.timedOut)
    throw new UnavailableError(cmd, `${cmd} did not finish within ${opts.timeoutMs ?? 30_000} ms`);
  if (r.code !== 0) {
    const why = (r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ');
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.code ?? r.signal}: ${why}`);
  }
  return r;
}
