import { delay } from './daemon.js';

/**
 * Polls `probe` (every 50 ms) until it returns something other than undefined, and returns it;
 * throws `timed out waiting for <what>` after `timeoutMs`. For state reached in the background
 * (a job, a BGP session, a zone reload).
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}
