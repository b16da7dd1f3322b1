import { join } from 'node:path';
import { composeEnv, loadComposedConfig } from '@guichet/compose';
import { ConfigError, createLogger } from '@guichet/core';
import { openDatabase } from '@guichet/db';
import { createJobRunner } from '@guichet/jobs';
import { buildApp } from './app.js';
import { ensureDemo, printWelcome } from './demo.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadComposedConfig>;
  try {
    config = loadComposedConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const { core } = config;
  const logger = createLogger(core.LOG_LEVEL);
  const database = await openDatabase({
    ...(core.DATABASE_URL ? { url: core.DATABASE_URL } : { dataDir: join(core.DATA_DIR, 'pglite') }),
  });
  logger.info({ engine: database.engine }, 'database ready, migrations applied');
  const env = composeEnv({ database, config, logger });
  // Always a runner, to enqueue; it also works the queues when no separate worker runs
  // (the embedded engine, or JOBS_IN_PROCESS=true on a server).
  const jobs = createJobRunner(database, { definitions: env.jobDefinitions(), logger });
  env.attachJobs(jobs);
  await jobs.start({ work: core.JOBS_IN_PROCESS });
  const app = await buildApp({ env });
  const demo = core.DEMO ? await ensureDemo(env, new Date()) : undefined;
  await app.listen({ host: core.HOST, port: core.PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : core.PORT;
  const host = core.HOST.includes(':') ? `[${core.HOST}]` : core.HOST;
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
