import { createHash } from 'node:crypto';
import { recordChange } from '@guichet/audit';
import { ValidationError } from '@guichet/core';
import { z } from 'zod';
import { getKind, ReturnToInstitution, registerKind } from '../../kinds.js';

/**
 * Kinds that exist only in tests, so that the engine is tested apart from any service line:
 * - `test.flow`: automatic `prepare` → human `review` (desk) → human `sign` (head, with the
 *   document hash) → completed;
 * - `test.boom`: an automatic step that writes, then throws;
 * - `test.probe`: external `probe` (fails `failTimes` times, then succeeds) → automatic `finish`.
 */

export const abandoned: string[] = [];
/** When each request's probe ran, in ms. */
export const probeRuns = new Map<string, number[]>();

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
export const documentText = (prepared: string) => `Agreement for ${prepared}`;
export const documentHash = (prepared: string) => sha256(documentText(prepared));

export function registerTestKinds(): void {
  if (getKind('test.flow')) return;
  registerKind<{ label: string; size: number }>({
    kind: 'test.flow',
    queue: 'test',
    title: 'Test flow',
    description: 'Automatic, desk and head steps.',
    schema: z.object({ label: z.string().min(1), size: z.number().int().positive() }),
    validate: async (_tx, p) => {
      if (p.label === 'taken') throw ValidationError.field(['label'], 'is already taken');
    },
    steps: [
      {
        name: 'prepare',
        type: 'automatic',
        description: 'Prepares the document.',
        run: async (_tx, { payload, pass }) => ({ prepared: `${payload.label}#${pass}` }),
      },
      { name: 'review', type: 'human', actor: 'desk', description: 'The desk checks it.' },
      {
        name: 'sign',
        type: 'human',
        actor: 'head',
        description: 'The head signs the document.',
        dataSchema: z.object({
          documentHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex'),
        }),
        run: async (_tx, { data, outputs }) => {
          const prepared = String(outputs.prepare?.prepared);
          if (data?.documentHash !== documentHash(prepared))
            throw new ValidationError('not the document prepared');
          return { signed: prepared };
        },
      },
    ],
    sla: { responseMinutes: 60, resolutionMinutes: 600 },
    onAbandon: async (_tx, req, _ctx, outputs) => {
      abandoned.push(`${req.id} ${req.status} ${String(outputs.prepare?.prepared)}`);
    },
    document: async (_db, _req, outputs) => {
      const prepared = outputs.prepare?.prepared;
      return typeof prepared === 'string'
        ? { text: documentText(prepared), hash: documentHash(prepared) }
        : null;
    },
  });

  registerKind<{ label: string }>({
    kind: 'test.boom',
    queue: 'test',
    title: 'Test boom',
    description: 'An automatic step that fails after writing.',
    schema: z.object({ label: z.string() }),
    steps: [
      {
        name: 'write',
        type: 'automatic',
        description: 'Writes, then fails.',
        run: async (tx, { request, ctx }) => {
          await recordChange(tx, ctx, {
            action: 'test.partial',
            objectType: 'Request',
            objectId: request.id,
          });
          throw new Error('the automatic step broke');
        },
      },
    ],
    sla: { responseMinutes: 60, resolutionMinutes: 600 },
  });

  registerKind<{ label: string; failTimes: number; returnWith?: string | undefined }>({
    kind: 'test.probe',
    queue: 'probe',
    title: 'Test probe',
    description: 'An external step that fails a given number of times.',
    schema: z.object({
      label: z.string(),
      failTimes: z.number().int().min(0),
      /** The first pass's probe sends the request back to the institution with this reason. */
      returnWith: z.string().optional(),
    }),
    retry: { limit: 2, delaySeconds: 1, backoff: true },
    steps: [
      {
        name: 'probe',
        type: 'external',
        description: 'Asks a peer.',
        run: async (_db, { request, payload, pass }) => {
          const runs = probeRuns.get(request.id) ?? [];
          runs.push(Date.now());
          probeRuns.set(request.id, runs);
          if (payload.returnWith && pass === 1)
            throw new ReturnToInstitution(payload.returnWith, { findings: [{ code: 'LAME' }] });
          if (runs.length <= payload.failTimes) throw new Error(`peer refused (run ${runs.length})`);
          return { answeredOnRun: runs.length };
        },
      },
      {
        name: 'finish',
        type: 'automatic',
        description: 'Records the answer.',
        run: async (_tx, { outputs }) => ({ answer: outputs.probe?.answeredOnRun }),
      },
    ],
    sla: { responseMinutes: 60, resolutionMinutes: 600 },
  });
}
