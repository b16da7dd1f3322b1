import type { Logger } from '@guichet/core';

/**
 * How the worker answers SIGTERM and SIGINT: the first one stops it gracefully (running jobs
 * finish, up to the runner's stop timeout). One signal sent to the process group often reaches
 * this process twice within milliseconds — once from the group, once relayed by `pnpm` (which
 * forwards the signal to its child) or by tsx's parent process — so a repeat within
 * `sameDeliveryMs` of the first is the same request and is ignored. Only a signal after that (a
 * person pressing Ctrl-C again) exits at once, dropping the jobs still running.
 */
export interface StopSignalsOptions {
  logger: Logger;
  /** Resolves once stopped; the process then exits 0 (1 if it rejects). */
  stop: () => Promise<void>;
  /** Default 2 s. */
  sameDeliveryMs?: number;
  /** Stand-ins for tests: where signals come from, how to exit, what time it is. */
  source?: Pick<NodeJS.Process, 'on'>;
  exit?: (code: number) => void;
  now?: () => number;
}

export function stopOnSignals(opts: StopSignalsOptions): void {
  const { logger } = opts;
  const source = opts.source ?? process;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const now = opts.now ?? Date.now;
  const window = opts.sameDeliveryMs ?? 2000;
  let firstAt: number | undefined;

  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      if (now() - firstAt < window) {
        logger.debug({ signal }, 'same stop signal again (group delivery or relay): already stopping');
        return;
      }
      logger.warn({ signal }, 'second signal: exiting without waiting for running jobs');
      exit(1);
      return;
    }
    firstAt = now();
    logger.info({ signal }, 'stopping: waiting for running jobs');
    opts.stop().then(
      () => {
        logger.info('stopped');
        exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        exit(1);
      },
    );
  };
  source.on('SIGTERM', onSignal);
  source.on('SIGINT', onSignal);
}
