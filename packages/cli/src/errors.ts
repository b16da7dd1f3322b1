/**
 * Exit codes, documented in README ("Scripts: the guichet CLI") and in `guichet --help`:
 * a script branches on them without parsing text.
 */
export const EXIT = {
  OK: 0,
  /** Some items (or the one call) failed with a typed error from the server. */
  FAILED: 1,
  /** The command line is wrong (unknown option, bad file, malformed query). */
  USAGE: 2,
  /** No credential, or the server refused it. */
  AUTH: 3,
  /** The server could not be reached (or answered that it is unavailable). */
  UNREACHABLE: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure that ends the command with a given exit code; `code` is the server's when it has one. */
export class CliError extends Error {
  constructor(
    readonly exit: ExitCode,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}
