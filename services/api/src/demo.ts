import { type Logger, systemContext } from '@guichet/core';
import { and, type Database, eq, isNull } from '@guichet/db';
import { seedDemoMembership } from '@guichet/membership';
import { createLocalStaff } from './auth/staff.js';
import { authStaff, authTokens } from './auth/tables.js';
import { hashSecret, issueSession } from './auth/tokens.js';

const DEMO_USER = 'demo';

/**
 * Demo mode (the default on the embedded engine): an administrator account `demo` and a fresh
 * token for it at each start, so a first-time user can query at once; and demo member
 * institutions (membership's seed) the first time. Earlier demo tokens are
 * revoked, so only the token printed last works. Never on by default on a server database.
 */
export async function ensureDemo(
  database: Database,
  now: Date,
): Promise<{ username: string; token: string }> {
  let [staff] = await database.db.select().from(authStaff).where(eq(authStaff.username, DEMO_USER));
  staff ??= await createLocalStaff(database, {
    username: DEMO_USER,
    displayName: 'Demo administrator',
    roles: ['admin', 'noc', 'desk'],
    email: 'demo@guichet.invalid',
  });
  await database.db
    .update(authTokens)
    .set({ revokedAt: now })
    .where(
      and(eq(authTokens.principalId, staff.id), eq(authTokens.name, 'demo'), isNull(authTokens.revokedAt)),
    );
  // Demo institutions, contacts and active agreements; does nothing once institutions exist.
  await seedDemoMembership(database, systemContext('demo'));
  const issued = await issueSession(database, staff.id, DEMO_USER, now, 24 * 30);
  await database.db
    .update(authTokens)
    .set({ name: 'demo', kind: 'api' })
    .where(eq(authTokens.hash, hashSecret(issued.secret)));
  return { username: DEMO_USER, token: issued.secret };
}

export function printWelcome(logger: Logger, url: string, demo?: { username: string; token: string }): void {
  const lines = [
    '',
    `  Guichet is listening on ${url}`,
    `  GraphiQL:  ${url}/graphql`,
    `  Health:    ${url}/healthz   Ready: ${url}/readyz   Metrics: ${url}/metrics`,
  ];
  if (demo) {
    lines.push(
      '',
      `  Demo mode: staff account "${demo.username}" (admin, noc, desk). Token, valid 30 days:`,
      `    ${demo.token}`,
      '  In GraphiQL, open "Headers" and paste:',
      `    { "Authorization": "Bearer ${demo.token}" }`,
      '  or from a shell:',
      `    curl -s ${url}/graphql -H 'content-type: application/json' \\`,
      `      -H 'authorization: Bearer ${demo.token}' -d '{"query":"{ viewer { kind name staffRoles } }"}'`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
  logger.info({ url }, 'listening');
}
