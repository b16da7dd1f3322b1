import { type Clock, type Config, systemClock } from '@guichet/core';
import type { Database } from '@guichet/db';
import { defineJob, type JobDefinition } from '@guichet/jobs';
import { z } from 'zod';
import { SEND_NOTIFICATIONS } from './listener.js';
import { eventsWithPending, sendPendingNotifications } from './send.js';

export const SWEEP_NOTIFICATIONS = 'workflow.sweep-notifications';

/** Send jobs one process runs at once. */
export const SEND_CONCURRENCY = 4;

export interface NotifyDeps {
  database: Database;
  config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM' | 'PUBLIC_URL'>;
  clock?: Clock;
  /** Retries of one event's job (default 8: about 4 h of doubling delays from 60 s). */
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** When the sweep runs (five-field cron, UTC; default every 10 minutes); null: no sweep. */
  sweepCron?: string | null;
}

const eventPayload = z.object({ eventId: z.number().int().positive() });

/**
 * The notification jobs, bound to a database and a configuration: a job handler gets a logger
 * and nothing else, so the hosts (services/api on the embedded engine, services/worker on a
 * server) compose `notifyJobs({ database, config })` into their runner's definitions. The runner
 * handed to the request engine must know them: the listener enqueues `workflow.send-notifications`.
 */
// biome-ignore lint/suspicious/noExplicitAny: a host's list mixes payload types; each definition checks its own
export function notifyJobs(deps: NotifyDeps): JobDefinition<any>[] {
  const clock = deps.clock ?? systemClock;
  const send = defineJob<{ eventId: number }>({
    name: SEND_NOTIFICATIONS,
    validate: (d) => eventPayload.parse(d),
    retryLimit: deps.retryLimit ?? 8,
    retryDelaySeconds: deps.retryDelaySeconds ?? 60,
    expireInSeconds: 10 * 60,
    // Sending is waiting on the relay: several events at once, each row claimed by one sender.
    concurrency: SEND_CONCURRENCY,
    handler: async ({ eventId }, job) => {
      const out = await sendPendingNotifications(deps.database, deps.config, eventId, {
        logger: job.logger,
        isLastAttempt: job.isLastAttempt,
        clock,
      });
      // A throw is what makes pg-boss retry (and, on the last attempt, shows the job failed);
      // the rows already carry the error for operators.
      if (out.retry > 0 || (job.isLastAttempt && out.failed > 0)) {
        throw new Error(`${out.retry + out.failed} notification(s) not sent: ${out.lastError}`);
      }
    },
  });
  if (deps.sweepCron === null) return [send];
  /**
   * The safety net: rows whose job never ran or gave up while the relay was down, rows written
   * without a job runner, rows recorded while SMTP_URL was unset.
   */
  const sweep = defineJob<Record<string, never>>({
    name: SWEEP_NOTIFICATIONS,
    cron: deps.sweepCron ?? '*/10 * * * *',
    cronData: {},
    retryLimit: 0,
    expireInSeconds: 15 * 60,
    handler: async (_d, job) => {
      if (!deps.config.SMTP_URL) return;
      for (const eventId of await eventsWithPending(deps.database.db, clock.now(), 72, 100)) {
        await sendPendingNotifications(deps.database, deps.config, eventId, { logger: job.logger, clock });
      }
    },
  });
  return [send, sweep];
}
