/** Idempotency keys (the `Idempotency-Key` header and bulk items' `idempotencyKey`). */
export { PURGE_IDEMPOTENCY_KEYS, purgeIdempotencyJob } from './jobs.js';
export * from './store.js';
export { idempotencyKeys } from './tables.js';
