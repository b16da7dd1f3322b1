import { ConflictError, NotFoundError } from '@guichet/core';
import { eq } from '@guichet/db';
import { defineKind, ReturnToInstitution } from '@guichet/workflow';
import { z } from 'zod';
import { TIMEOUT_MEANING } from './model.js';
import { SERVER_DOWN } from './service/probes.js';
import { publishProxy } from './service/proxy.js';
import {
  activateRealm,
  getRealm,
  lookForProof,
  realmProof,
  releaseRealm,
  reserveRealm,
} from './service/realms.js';
import { servers } from './tables.js';

/**
 * The eduroam request kinds.
 *
 * `eduroam.realm` — reserve (automatic, at filing: eduroam open, no overlap, no look-alike; the
 * realm claims its namespace at once) → prove (external: the realm exists in DNS and
 * `<label>.<realm>` carries the institution's TXT value; missing → RETURNED with the record to
 * publish) → publish (external: the national proxy's configuration, checked by freeradius -XC,
 * swapped and restarted) → completed. No person in the loop.
 *
 * `eduroam.serverDown` — opened by Guichet when a server that had answered fails three
 * Status-Server probes in a row: a ticket in the eduroam queue, an "action needed" email to the
 * eduroam and technical contacts. detect (automatic: one request per outage) → recover
 * (external, checked every probe interval: completes when the probes see the server up).
 *
 * (Activation is not a kind of its own: it is the membership agreement change, see activation.ts.)
 */

export const REALM_REQUEST = 'eduroam.realm';

export const realmSchema = z.object({
  realm: z.string().trim().min(1).max(253),
  subrealms: z.boolean().default(true),
});
export type RealmPayload = z.output<typeof realmSchema>;

const str = (v: unknown) => (typeof v === 'string' ? v : '');

export const REALM_KIND = defineKind<RealmPayload>({
  kind: REALM_REQUEST,
  queue: 'eduroam',
  title: 'eduroam realm',
  description:
    'Connects a realm (a domain the institution holds, with or without its subrealms) to the national eduroam proxy: proved by a DNS TXT record, then routed to the institution’s RADIUS servers.',
  schema: realmSchema,
  summary: (p) => `realm ${p.realm}${p.subrealms ? ' (and subrealms)' : ''}`,
  steps: [
    {
      name: 'reserve',
      type: 'automatic',
      description:
        'eduroam is open in the agreement; the realm (lower case) overlaps no live realm and looks like none of another institution; it is reserved at once.',
      run: async (tx, { request, payload, ctx, env }) => {
        const row = await reserveRealm(
          tx,
          ctx,
          { institutionId: request.institutionId, realm: payload.realm, subrealms: payload.subrealms },
          request.id,
        );
        const proof = realmProof(env.line('eduroam'), row.institutionId, row.realm);
        return { realmId: row.id, realm: row.realm, txtName: proof.name, txtValue: proof.value };
      },
    },
    {
      name: 'prove',
      type: 'external',
      description:
        'The realm exists in the DNS and carries the institution’s TXT record (`<label>.<realm> TXT "guichet-eduroam=…"`); missing, the request returns to the institution with the record to publish.',
      retry: { limit: 5, delaySeconds: 60, backoff: true },
      run: async (db, { ctx, outputs, env }) => {
        const realmId = str(outputs.reserve?.realmId);
        const row = await getRealm(db, realmId);
        if (!row) throw new NotFoundError('EduroamRealm', realmId);
        if (row.state === 'active') return { proved: true };
        const found = await lookForProof(env.line('eduroam'), row);
        if (!found.proved)
          throw new ReturnToInstitution(found.reason, { txtName: found.name, txtValue: found.value });
        await db.transaction((tx) => activateRealm(tx, ctx, row.id, found));
        return { proved: true, txtName: found.name };
      },
    },
    {
      name: 'publish',
      type: 'external',
      description:
        'Regenerates the national proxy’s configuration, checks it with freeradius -XC, swaps it in and restarts the proxy (a refused configuration leaves the running one).',
      run: async (db, { ctx, env }) => {
        const out = await publishProxy(db, env.line('eduroam'), ctx);
        if (out.status === 'refused' || out.status === 'rolled_back' || out.status === 'failed') {
          const errors = 'publication' in out ? out.publication.errors.join('; ') : '';
          throw new Error(`the proxy configuration was ${out.status.replace('_', ' ')}: ${errors}`);
        }
        return { status: out.status, hash: out.hash };
      },
    },
  ],
  onAbandon: async (tx, _request, ctx, outputs) => {
    const id = str(outputs.reserve?.realmId);
    // A returned or cancelled request frees the namespace it claimed (a resubmission claims it again).
    if (id) await releaseRealm(tx, ctx, id, 'eduroam.releaseRealm');
  },
  sla: { responseMinutes: 60, resolutionMinutes: 24 * 60 },
});

/** The outage request looks again every probe interval, for a week. */
const recoveryRetry = (interval: number) => ({
  limit: Math.ceil((7 * 24 * 3600) / interval),
  delaySeconds: interval,
  backoff: false,
});

export const serverDownSchema = z.object({ serverId: z.uuid() });
export type ServerDownPayload = z.output<typeof serverDownSchema>;

export const SERVER_DOWN_KIND = defineKind<ServerDownPayload>({
  kind: SERVER_DOWN,
  queue: 'eduroam',
  title: 'eduroam server not answering',
  description: `Opened by Guichet when an institution's RADIUS server fails three Status-Server probes in a row (${TIMEOUT_MEANING}); closes itself when it answers again.`,
  schema: serverDownSchema,
  alsoNotify: ['eduroam'],
  summary: (p) => `RADIUS server ${p.serverId}: no answer to Status-Server (${TIMEOUT_MEANING})`,
  steps: [
    {
      name: 'detect',
      type: 'automatic',
      description: 'Ties the outage to the server (one request per outage; a second is refused).',
      run: async (tx, { request, payload }) => {
        const [row] = await tx.select().from(servers).where(eq(servers.id, payload.serverId)).for('update');
        if (row?.state !== 'active' || row.probeState !== 'down') {
          throw new ConflictError(`server ${payload.serverId} is not down: nothing to open`);
        }
        if (row.downRequestId)
          throw new ConflictError(`the outage of ${row.name} already has request ${row.downRequestId}`);
        await tx.update(servers).set({ downRequestId: request.id }).where(eq(servers.id, row.id));
        return {
          server: row.name,
          address: row.address,
          port: row.port,
          failures: row.consecutiveFailures,
          lastError: row.lastError,
        };
      },
    },
    {
      name: 'recover',
      type: 'external',
      retry: (env) => recoveryRetry(env.line('eduroam').config.EDUROAM_RECOVERY_CHECK_SECONDS),
      description:
        'Waits for the probes to see the server answer again (checked every probe interval); removed servers end the request too.',
      run: async (db, { payload, request }) => {
        const [row] = await db.select().from(servers).where(eq(servers.id, payload.serverId));
        if (!row) throw new NotFoundError('EduroamServer', payload.serverId);
        if (row.state === 'active' && row.probeState !== 'up') {
          throw new Error(
            `${row.name} still does not answer (${row.consecutiveFailures} probes in a row): ${row.lastError ?? TIMEOUT_MEANING}`,
          );
        }
        await db.update(servers).set({ downRequestId: null }).where(eq(servers.downRequestId, request.id));
        return {
          state: row.state,
          probeState: row.probeState,
          lastOkAt: row.lastOkAt?.toISOString() ?? null,
          rttMs: row.lastRttMs,
        };
      },
    },
  ],
  onAbandon: async (tx, request) => {
    // Cancelled or failed by the NOC: the next outage of the server opens a request of its own.
    await tx.update(servers).set({ downRequestId: null }).where(eq(servers.downRequestId, request.id));
  },
  sla: { responseMinutes: 30, resolutionMinutes: 8 * 60 },
});
