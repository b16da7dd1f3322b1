import { randomUUID } from 'node:crypto';
import { recordChange } from '@guichet/audit';
import {
  ConflictError,
  ForbiddenError,
  InvalidTransitionError,
  NotFoundError,
  PolicyRefusalError,
  parseInput,
  type RequestContext,
  randomSecret,
  type SecretBox,
} from '@guichet/core';
import { and, asc, type DbOrTx, eq, ne, one, PG, pgError, sql, type Tx } from '@guichet/db';
import { canReadInstitution } from '@guichet/membership';
import { addressInPrefix, parseAddress } from '@guichet/net';
import type { Env } from '@guichet/workflow';
import { type ServerInput, serverInput } from '../inputs.js';
import { PROBE_SERVER_JOB, PUBLISH_JOB } from '../job-names.js';
import { RULES } from '../rules.js';
import { secrets, servers } from '../tables.js';
import { lockForEduroam, mayWrite } from './common.js';
import { serverResource } from './resources.js';

/**
 * RADIUS servers of institutions: address, port, transport and the shared secret Guichet
 * generates. A secret is shown once — in the result of the call that made it — and is otherwise
 * only sealed in eduroam_secrets (env.secrets, the secret's id as context), opened when the
 * proxy configuration is rendered or a probe is sent. It never enters the change log, a
 * request, a log line or a GraphQL field that can be read again.
 */

export type ServerRow = typeof servers.$inferSelect;
export type SecretRow = typeof secrets.$inferSelect;

/** 48 characters from [A-Za-z0-9]: ≈ 285 bits. */
export const SECRET_LENGTH = 48;

const SPECIAL_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '224.0.0.0/3',
];
const LOOPBACK_OR_PRIVATE = new Set([
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
]);
const SPECIAL_V6 = ['::/128', '::1/128', 'fc00::/7', 'fe80::/10', 'ff00::/8', '::ffff:0:0/96'];

/** A server address: a unicast host address, public unless EDUROAM_ALLOW_PRIVATE_SERVERS. */
export function checkServerAddress(text: string, allowPrivate: boolean): string {
  const { family, address } = parseAddress(text, ['input', 'address']);
  const special = (family === 4 ? SPECIAL_V4 : SPECIAL_V6).find((p) => addressInPrefix(address, p));
  if (!special) return address;
  const privateOnly =
    family === 4 ? LOOPBACK_OR_PRIVATE.has(special) : special === '::1/128' || special === 'fc00::/7';
  if (allowPrivate && privateOnly) return address;
  throw new PolicyRefusalError(
    RULES.serverAddress,
    `input.address: ${address} is in ${special}: the national proxy reaches institution servers on static public addresses`,
  );
}

/** Server rows hold nothing secret (secrets live sealed in eduroam_secrets): logged as they are. */
const logged = (s: ServerRow) => s;

const FINGERPRINT = 'eduroam-secret-fingerprint';

function issueSecret(
  box: SecretBox,
  serverId: string,
  status: 'current' | 'next',
  now: Date,
  validUntil: Date | null,
) {
  const plain = randomSecret(SECRET_LENGTH);
  const id = randomUUID();
  return {
    plain,
    row: {
      id,
      serverId,
      sealed: box.seal(plain, `eduroam-secret:${id}`),
      // Unique over every secret ever issued: never two alike, never one reused.
      fingerprint: box.digest(plain, FINGERPRINT),
      status,
      createdAt: now,
      validUntil,
      activatedAt: status === 'current' ? now : null,
    },
  };
}

export function openServerSecret(box: SecretBox, row: Pick<SecretRow, 'id' | 'sealed'>): string {
  return box.open(row.sealed, `eduroam-secret:${row.id}`);
}

/** In the change's transaction: republish the proxy; probe the server (new, or with a new secret) at once. */
export async function followUp(
  tx: Tx,
  env: Env,
  ctx: RequestContext,
  probeServerId: string | null,
): Promise<void> {
  if (!env.jobs) return;
  await env.jobs.sendInTx(tx, PUBLISH_JOB, {}, { requestId: ctx.requestId });
  if (probeServerId) {
    await env.jobs.sendInTx(tx, PROBE_SERVER_JOB, { serverId: probeServerId }, { requestId: ctx.requestId });
  }
}

/**
 * Declares a server: checks the caller and that eduroam is open, generates its secret, stores
 * both, and asks for the proxy to be republished and the server probed — all in one
 * transaction. The address is unique among live servers (a unique index: the proxy knows its
 * clients by address); a second declaration of it is a ConflictError and writes nothing.
 */
export async function declareServer(
  env: Env,
  ctx: RequestContext,
  raw: unknown,
): Promise<{ server: ServerRow; secret: string }> {
  const input: ServerInput = parseInput(serverInput, raw);
  const rt = env.line('eduroam');
  const address = checkServerAddress(input.address, rt.config.EDUROAM_ALLOW_PRIVATE_SERVERS);
  if (input.transport === 'tls') {
    throw new PolicyRefusalError(
      'eduroam.radsec',
      'input.transport: RadSec servers are not connected to the national proxy yet',
    );
  }
  return env.database.db.transaction(async (tx) => {
    await lockForEduroam(tx, ctx, input.institutionId);
    const now = ctx.clock.now();
    const server = await tx
      .insert(servers)
      .values({
        institutionId: input.institutionId,
        name: input.name,
        address,
        port: input.port,
        transport: input.transport,
        createdAt: now,
      })
      .returning()
      .then(one)
      .catch((e) => {
        if (pgError(e)?.code === PG.uniqueViolation) {
          throw new ConflictError(
            `input.address: ${address} is already the address of a declared eduroam server`,
          );
        }
        throw e;
      });
    const { plain, row } = issueSecret(rt.secrets, server.id, 'current', now, null);
    await tx.insert(secrets).values(row);
    await recordChange(tx, ctx, {
      action: 'eduroam.declareServer',
      objectType: 'EduroamServer',
      objectId: server.id,
      institutionId: server.institutionId,
      after: logged(server),
    });
    await serverResource(tx, ctx, server);
    await followUp(tx, env, ctx, server.id);
    return { server, secret: plain };
  });
}

async function lockServer(tx: Tx, id: string): Promise<ServerRow> {
  const [row] = await tx.select().from(servers).where(eq(servers.id, id)).for('update');
  if (!row) throw new NotFoundError('EduroamServer', id);
  return row;
}

/** Reads a server the caller may see: others' servers do not exist. */
export async function getServer(db: DbOrTx, id: string): Promise<ServerRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [row] = await db.select().from(servers).where(eq(servers.id, id));
  return row;
}

/**
 * Starts a rotation: a new secret, valid with the current one until the overlap ends
 * (EDUROAM_SECRET_OVERLAP_HOURS). The proxy keeps the current secret; the probes try both and
 * the first Status-Server the server answers with the new one completes the rotation (the
 * proxy follows); at the end of the overlap it completes anyway. One rotation at a time.
 */
export async function rotateSecret(
  env: Env,
  ctx: RequestContext,
  serverId: string,
): Promise<{ server: ServerRow; secret: string; validUntil: Date }> {
  const rt = env.line('eduroam');
  return env.database.db.transaction(async (tx) => {
    const seen = await getServer(tx, serverId);
    if (!seen) throw new NotFoundError('EduroamServer', serverId);
    await lockForEduroam(tx, ctx, seen.institutionId, 'operate');
    const server = await lockServer(tx, serverId);
    if (server.state !== 'active')
      throw new InvalidTransitionError('EduroamServer', server.state, 'rotating');
    const now = ctx.clock.now();
    const validUntil = new Date(now.getTime() + rt.config.EDUROAM_SECRET_OVERLAP_HOURS * 3600_000);
    const { plain, row } = issueSecret(rt.secrets, server.id, 'next', now, validUntil);
    await tx
      .insert(secrets)
      .values(row)
      .catch((e) => {
        if (pgError(e)?.constraint === 'eduroam_secrets_one_next') {
          throw new ConflictError(
            `a rotation of ${server.name}'s secret is already under way: complete it first`,
          );
        }
        throw e;
      });
    await recordChange(tx, ctx, {
      action: 'eduroam.rotateSecret',
      objectType: 'EduroamServer',
      objectId: server.id,
      institutionId: server.institutionId,
      after: { secretId: row.id, validUntil },
    });
    await followUp(tx, env, ctx, server.id);
    return { server, secret: plain, validUntil };
  });
}

/**
 * Ends a rotation: the next secret becomes current, the old one is retired for good, and the
 * proxy is republished with it. Idempotent (nothing to do without a next secret). `why` says
 * who decided: the probe saw the server answer the new secret, the overlap ended, or a person.
 */
export async function completeRotation(
  tx: Tx,
  env: Env,
  ctx: RequestContext,
  serverId: string,
  why: 'probe' | 'overlap-ended' | 'confirmed',
): Promise<boolean> {
  const server = await lockServer(tx, serverId);
  const [next] = await tx
    .select()
    .from(secrets)
    .where(and(eq(secrets.serverId, serverId), eq(secrets.status, 'next')));
  if (!next) return false;
  const now = ctx.clock.now();
  await tx
    .update(secrets)
    .set({ status: 'retired', retiredAt: now })
    .where(and(eq(secrets.serverId, serverId), eq(secrets.status, 'current')));
  await tx
    .update(secrets)
    .set({ status: 'current', activatedAt: now, validUntil: null })
    .where(eq(secrets.id, next.id));
  await recordChange(tx, ctx, {
    action: 'eduroam.completeRotation',
    objectType: 'EduroamServer',
    objectId: serverId,
    institutionId: server.institutionId,
    after: { secretId: next.id, why },
  });
  await followUp(tx, env, ctx, null);
  return true;
}

/** The institution (or the NOC) says the server uses the new secret now. */
export async function confirmRotation(env: Env, ctx: RequestContext, serverId: string): Promise<ServerRow> {
  return env.database.db.transaction(async (tx) => {
    const seen = await getServer(tx, serverId);
    if (!seen) throw new NotFoundError('EduroamServer', serverId);
    await lockForEduroam(tx, ctx, seen.institutionId, 'operate');
    if (!(await completeRotation(tx, env, ctx, serverId, 'confirmed'))) {
      throw new ConflictError('no rotation of this server’s secret is under way');
    }
    return lockServer(tx, serverId);
  });
}

/** Removes a server: it leaves the proxy at the next publication, its secrets are retired. */
export async function removeServer(env: Env, ctx: RequestContext, serverId: string): Promise<ServerRow> {
  return env.database.db.transaction(async (tx) => {
    const seen = await getServer(tx, serverId);
    if (!seen) throw new NotFoundError('EduroamServer', serverId);
    // Removing is allowed even once eduroam is closed: that is how an institution leaves.
    await lockForEduroam(tx, ctx, seen.institutionId, 'operate').catch((e) => {
      if (!(e instanceof PolicyRefusalError) || e.rule !== RULES.notActive) throw e;
    });
    const server = await lockServer(tx, serverId);
    if (server.state === 'removed') return server;
    const now = ctx.clock.now();
    const after = one(
      await tx
        .update(servers)
        .set({ state: 'removed', removedAt: now })
        .where(eq(servers.id, serverId))
        .returning(),
    );
    await tx
      .update(secrets)
      .set({ status: 'retired', retiredAt: now })
      .where(and(eq(secrets.serverId, serverId), ne(secrets.status, 'retired')));
    await recordChange(tx, ctx, {
      action: 'eduroam.removeServer',
      objectType: 'EduroamServer',
      objectId: serverId,
      institutionId: server.institutionId,
      before: logged(server),
      after: logged(after),
    });
    await serverResource(tx, ctx, after);
    await followUp(tx, env, ctx, null);
    return after;
  });
}

/** Queues a probe of one server now (the caller may operate the institution's servers). */
export async function requestProbe(env: Env, ctx: RequestContext, serverId: string): Promise<ServerRow> {
  const seen = await getServer(env.database.db, serverId);
  if (!seen || !canReadInstitution(ctx.actor, seen.institutionId))
    throw new NotFoundError('EduroamServer', serverId);
  if (!mayWrite(ctx, seen.institutionId, 'operate')) {
    throw new ForbiddenError(
      'Only a technical contact of the institution, the desk or the NOC probes its servers',
    );
  }
  if (seen.state === 'removed') throw new ConflictError(`${seen.name} is removed`);
  await env.jobs?.send(PROBE_SERVER_JOB, { serverId }, { requestId: ctx.requestId });
  return seen;
}

export async function listServers(
  db: DbOrTx,
  institutionId: string,
  includeRemoved = false,
): Promise<ServerRow[]> {
  return db
    .select()
    .from(servers)
    .where(
      and(
        eq(servers.institutionId, institutionId),
        includeRemoved ? sql`true` : ne(servers.state, 'removed'),
      ),
    )
    .orderBy(asc(servers.createdAt), asc(servers.id));
}

/** The live secrets of a server (current, and next during a rotation), without their values. */
export async function secretsOf(db: DbOrTx, serverId: string): Promise<SecretRow[]> {
  return db
    .select()
    .from(secrets)
    .where(and(eq(secrets.serverId, serverId), ne(secrets.status, 'retired')))
    .orderBy(asc(secrets.createdAt));
}
