import { recordChange } from '@guichet/audit';
import { type Logger, type RequestContext, systemContext } from '@guichet/core';
import { and, eq, isNull } from '@guichet/db';
import { seedDemoMembership } from '@guichet/membership';
import type { ComposedEnv } from '@guichet/workflow';
import { authStaff, authTokens } from './auth/tables.js';
import { insertToken, publicView } from './auth/tokens.js';

const DEMO_USER = 'demo';

/**
 * Demo mode (the default on the embedded engine): an administrator account `demo` and a fresh
 * token for it at each start, so a first-time user can query at once; and demo member
 * institutions (membership's seed) the first time. Earlier demo tokens are
 * revoked, so only the token printed last works. Never on by default on a server database.
 */
export async function ensureDemo(env: ComposedEnv, now: Date): Promise<{ username: string; token: string }> {
  const { database } = env;
  const ctx = systemContext('demo');
  // Demo institutions, contacts and active agreements; does nothing once institutions exist.
  await seedDemoMembership(database, ctx);
  // ON CONFLICT: the account is made once; later starts reuse it.
  await database.db
    .insert(authStaff)
    .values({
      username: DEMO_USER,
      displayName: 'Demo administrator',
      roles: ['admin', 'noc', 'desk'],
      email: 'demo@guichet.invalid',
      source: 'local',
    })
    .onConflictDoNothing({ target: authStaff.username });
  const [account] = await database.db.select().from(authStaff).where(eq(authStaff.username, DEMO_USER));
  if (!account) throw new Error('demo: the demo account was not made');
  // Each line's own demo data (pools, collectors, parent zones…), made by the demo
  // administrator as the NOC would make it (the change log says so); each hook is idempotent.
  const asDemoStaff: RequestContext = {
    ...ctx,
    actor: {
      kind: 'staff',
      id: account.id,
      username: DEMO_USER,
      displayName: account.displayName,
      roles: ['admin', 'noc', 'desk'],
      credential: { method: 'system', scope: 'write' },
    },
  };
  for (const line of env.lines) await line.demo?.(env, asDemoStaff);
  return database.db.transaction(async (tx) => {
    const [staff] = await tx.select().from(authStaff).where(eq(authStaff.username, DEMO_USER));
    const revoked = await tx
      .update(authTokens)
      .set({ revokedAt: now })
      .where(
        and(eq(authTokens.principalId, staff!.id), eq(authTokens.name, 'demo'), isNull(authTokens.revokedAt)),
      )
      .returning({ id: authTokens.id });
    const issued = await insertToken(tx, {
      name: 'demo',
      kind: 'api',
      scope: 'write',
      principalKind: 'staff',
      principalId: staff!.id,
      scriptRoles: [],
      createdBy: 'system:demo',
      createdAt: now,
      expiresAt: new Date(now.getTime() + 30 * 86_400_000),
    });
    for (const r of revoked) {
      await recordChange(tx, ctx, { action: 'auth.revokeToken', objectType: 'ApiToken', objectId: r.id });
    }
    await recordChange(tx, ctx, {
      action: 'auth.createToken',
      objectType: 'ApiToken',
      objectId: issued.token.id,
      after: publicView(issued.token),
    });
    return { username: DEMO_USER, token: issued.secret };
  });
}

export function printWelcome(logger: Logger, url: string, demo?: { username: string; token: string }): void {
  const lines = [
    '',
    `  Guichet is listening on ${url}`,
    `  Portal:    ${url}/   (sign in with an API token)`,
    `  GraphiQL:  ${url}/graphql`,
    `  Health:    ${url}/healthz   Ready: ${url}/readyz   Metrics: ${url}/metrics`,
  ];
  if (demo) {
    lines.push(
      '',
      `  Demo mode: staff account "${demo.username}" (admin, noc, desk). Token, valid 30 days:`,
      `    ${demo.token}`,
      `  Portal: open ${url}/ and paste it as the API token; in GraphiQL, open "Headers" and paste:`,
      `    { "Authorization": "Bearer ${demo.token}" }`,
      '  or from a shell:',
      `    curl -s ${url}/graphql -H 'content-type: application/json' \\`,
      `      -H 'authorization: Bearer ${demo.token}' -d '{"query":"{ viewer { kind name staffRoles } }"}'`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
  logger.info({ url }, 'listening');
}
