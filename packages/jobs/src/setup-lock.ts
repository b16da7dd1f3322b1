import { type Database, sql } from '@guichet/db';

// A fixed key of its own (the migrations hold another): every Guichet process creating queues
// on the same database queues on it.
const QUEUE_SETUP_LOCK = 0x6775_6971;

/**
 * Runs `setup` (pg-boss's start and the queue creation) while holding a database-wide advisory
 * lock. pg-boss locks its own schema installation but not `createQueue`, whose function creates
 * the queue's partition table and inserts its row: two processes starting at the same moment on
 * a new database deadlock there (seen with two apis and two workers), and all but one exit.
 * The lock is a transaction's (released by commit, or by the server if the process dies);
 * pg-boss's own statements run on other connections of the pool meanwhile. The embedded
 * engine is one process and has one connection: nothing to serialise, and a transaction held
 * there would block pg-boss's statements.
 */
export async function withQueueSetupLock(database: Database, setup: () => Promise<void>): Promise<void> {
  if (database.engine !== 'postgres') return setup();
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${QUEUE_SETUP_LOCK})`);
    await setup();
  });
}
