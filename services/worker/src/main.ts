import { ConfigError, createLogger, loadConfig } from '@guichet/core';
import { configureIpam } from '@guichet/ipam';
import { configureRdnsFromConfig } from '@guichet/rdns';
import { configureRouting } from '@guichet/routing';
import { jobDefinitions, startWorker } from './index.js';
import { stopOnSignals } from './signals.js';

async function main(): Promise<void> {
  const config = loadConfig();
  configureIpam(config);
  configureRouting(config);
  configureRdnsFromConfig(config);
  const logger = createLogger(config.LOG_LEVEL, { component: 'worker' });
  // pg-boss writes a job's completion without awaiting it: a database failure there surfaces
  // here. Exit, and let the supervisor restart us; the job is retried after its expiry.
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection');
    process.exit(1);
  });
  const worker = await startWorker(config, (database) => jobDefinitions(database, config), { logger });

  stopOnSignals({ logger, stop: () => worker.stop() });
}

main().catch((err: unknown) => {
  // A configuration problem is the operator's to fix: print the message, not a stack.
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
