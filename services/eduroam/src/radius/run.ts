import { execFile } from 'node:child_process';

/**
 * An external program with a deadline (killed past it), its exit code and output — never through
 * a shell. Stand-in for core's `runTool` until the line contract brings it; never call it while a
 * transaction holds a lock.
 */
export function runTool(
  cmd: string,
  args: readonly string[],
  opts: { timeoutMs?: number; cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      [...args],
      {
        timeout: opts.timeoutMs ?? 30_000,
        maxBuffer: 64 * 1024 * 1024,
        killSignal: 'SIGKILL',
        ...(opts.cwd ? { cwd: opts.cwd } : {}),
      },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') return reject(err);
        if (err && (err as { killed?: boolean }).killed)
          return reject(new Error(`${cmd} did not finish in ${opts.timeoutMs ?? 30_000} ms`));
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}
