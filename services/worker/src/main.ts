import { loadComposedConfig } from '@guichet/compose';
import { ConfigError, createLogger } from '@guichet/core';
import { isDatabaseUnavailable } from '@guichet/db';
import { startWorker } from './index.js';
import { stopOnSignals } from './signals.js';

async function main(): Promise<void> {
  const config = loadComposedConfig();
  const logger = createLogger(config.core.LOG_LEVEL, { component: 'worker' });
  // pg-boss writes a job's completion without awaiting it: a database failure there surfaces
  // here. During an outage that is expected (the job is retried after its expiry): carry on,
  // so the worker resumes by itself when the database is back. Anything else: exit, and let
  // the supervisor restart us.
  process.on('unhandledRejection', (err) => {
    if (isDatabaseUnavailable(err)) {
      logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'database unavailable (unawaited call)',
      );
      return;
    }
    logger.fatal({ err }, 'unhandled rejection');
    process.exit(1);
  });
  const worker = await startWorker(config, { logger });

  stopOnSignals({ logger, stop: () => worker.stop() });
}

main().catch((err: unknown) => {
  // A configuration problem is the operator's to fix: print the message, not a stack.
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
