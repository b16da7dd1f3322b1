import { buildApp, createApiToken, createLocalStaff } from '@guichet/api';
import { composeEnv, loadComposedConfig } from '@guichet/compose';
import { type Actor, createLogger, systemClock, systemContext } from '@guichet/core';
import { openDatabase } from '@guichet/db';
import { createPool } from '@guichet/ipam';
import { contactActor, DEMO_INSTITUTIONS, listContacts, seedDemoMembership } from '@guichet/membership';

/*
 * The CLI section's server, a child of run.ts (the client's event loop is not the server's):
 * the real app on in-memory PGlite with the demo institutions, an IPv6 pool to file /48s from,
 * and a write token of the first institution's technical contact. One JSON line on stdout:
 * { port, token, institutionId }.
 */

const database = await openDatabase({});
// 1,000 single calls from one client in well under a minute: above the default per-minute limit.
const composed = loadComposedConfig({ ...process.env, LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '100000' });
const env = composeEnv({ database, config: composed, logger: createLogger('silent') });
const app = await buildApp({ env });
await seedDemoMembership(database, systemContext('bench-seed'));

const staff = await createLocalStaff(database, { username: 'bench-noc', displayName: 'NOC', roles: ['noc'] });
const noc: Actor = {
  kind: 'staff',
  id: staff.id,
  username: staff.username,
  displayName: staff.displayName,
  roles: ['noc'],
  credential: { method: 'session', scope: 'write' },
};
await createPool(
  database.db,
  { actor: noc, requestId: 'bench-pool', clock: systemClock },
  {
    name: 'v6',
    prefix: '2001:660::/32',
    status: 'ALLOCATED-BY-RIR',
    purpose: 'institutions',
    adminC: ['NOC1-RIPE'],
    techC: ['NOC1-RIPE'],
    mntBy: ['BENCH-MNT'],
    country: 'FR',
  },
);
const [inst] = await database.query<{ id: string }>(
  'SELECT id FROM membership_institutions WHERE short_name = $1',
  [DEMO_INSTITUTIONS[0]!.shortName],
);
const contact = (await listContacts(database.db, inst!.id, 'technical'))[0]!;
const actor = await contactActor(database.db, contact.id, { method: 'token', scope: 'write' });
const { secret } = await createApiToken(
  database,
  { actor: actor!, requestId: 'bench-token', clock: systemClock },
  { name: 'bench cli', scope: 'write' },
);

await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
process.stdout.write(`${JSON.stringify({ port, token: secret, institutionId: inst!.id })}\n`);

const stop = async () => {
  await app.close();
  await database.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
