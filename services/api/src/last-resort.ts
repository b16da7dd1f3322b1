import type { Logger } from '@guichet/core';
import { isDatabaseUnavailable } from '@guichet/db';

/**
 * The last line of defence, not the fix: an exception no request owns (a driver callback, a
 * promise nobody awaited) must not end the api while it serves everyone else. The known cause —
 * postgres.js writing to a dropped socket — is fixed in patches/postgres@3.4.9.patch; this keeps
 * a future one from turning an outage into a dead process. Logged at error level (fatal would
 * page someone for a database restart), with a count so repeats are visible.
 */
export function keepServingOnStrayErrors(logger: Logger): void {
  let count = 0;
  const report = (kind: string) => (err: unknown) => {
    count++;
    if (isDatabaseUnavailable(err)) {
      logger.warn(
        { err: err instanceof Error ? err.message : String(err), count },
        `${kind} while the database is unavailable (kept serving)`,
      );
    } else {
      logger.error({ err, count }, `${kind} (kept serving)`);
    }
  };
  process.on('uncaughtException', report('uncaught exception'));
  process.on('unhandledRejection', report('unhandled rejection'));
}
