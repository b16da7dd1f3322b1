import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * For CLI tests: the `guichet` command spawned as a user runs it (`node
 * packages/cli/bin/guichet.mjs`), with its own environment (config directory, server, token).
 * Production code never imports this.
 */
export const CLI_BIN = join(import.meta.dirname, '../../../packages/cli/bin/guichet.mjs');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  /** What the command reads on stdin (a password for `--password-stdin`); none by default. */
  input?: string,
): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    env,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) child.stdin?.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<CliRun>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

/** The port a listening fastify app got, as a base URL. */
export function listeningUrl(server: { address(): unknown }): string {
  const address = server.address() as { port?: number } | null;
  return `http://127.0.0.1:${address?.port ?? 0}`;
}
