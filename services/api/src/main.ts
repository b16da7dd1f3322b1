import { join } from 'node:path';
import { ConfigError, createLogger, loadConfig } from '@guichet/core';
import { openDatabase } from '@guichet/db';
import { configureIpam } from '@guichet/ipam';
import { createJobRunner } from '@guichet/jobs';
import { configureRdnsFromConfig } from '@guichet/rdns';
import { configureRouting } from '@guichet/routing';
import { buildApp } from './app.js';
import { ensureDemo, printWelcome } from './demo.js';
import { apiJobDefinitions, bindApiJobs } from './jobs.js';
import { keepServingOnStrayErrors } from './last-resort.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const logger = createLogger(config.LOG_LEVEL);
  keepServingOnStrayErrors(logger);
  configureIpam(config);
  configureRouting(config);
  configureRdnsFromConfig(config);
  const database = await openDatabase({
    ...(config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: join(config.DATA_DIR, 'pglite') }),
    connectTimeoutSeconds: config.DATABASE_CONNECT_TIMEOUT_SECONDS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  logger.info({ engine: database.engine }, 'database ready, migrations applied');
  // Always a runner, to enqueue; it also works the queues when no separate worker runs
  // (the embedded engine, or JOBS_IN_PROCESS=true on a server).
  const jobs = createJobRunner(database, { definitions: apiJobDefinitions(database, config), logger });
  bindApiJobs(database, jobs);
  await jobs.start({ work: config.JOBS_IN_PROCESS });
  const app = await buildApp({ config, database, logger, jobs });
  const demo = config.DEMO ? await ensureDemo(database, new Date()) : undefined;
  await app.listen({ host: config.HOST, port: config.PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  printWelcome(logger, `http://${host}:${port}`, demo);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await app.close();
    await jobs.stop();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`Guichet failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
