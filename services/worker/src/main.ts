import { loadComposedConfig } from '@guichet/compose';
import { ConfigError, createLogger } from '@guichet/core';
import { startWorker } from './index.js';

async function main(): Promise<void> {
  const config = loadComposedConfig();
  const logger = createLogger(config.core.LOG_LEVEL, { component: 'worker' });
  // pg-boss writes a job's completion without awaiting it: a database failure there surfaces
  // here. Exit, and let the supervisor restart us; the job is retried after its expiry.
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection');
    process.exit(1);
  });
  const worker = await startWorker(config, { logger });

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting for running jobs');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping: waiting for running jobs');
    worker.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  // A configuration problem is the operator's to fix: print the message, not a stack.
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
