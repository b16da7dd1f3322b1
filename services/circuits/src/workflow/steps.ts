import { PolicyRefusalError } from '@guichet/core';
import { and, type DbOrTx, eq, isNull } from '@guichet/db';
import type { ExternalStep, HumanStep, StepArgs } from '@guichet/workflow';
import { generateDeviceConfigs, l3Devices } from '../service/configs.js';
import { devicesOfCircuit } from '../service/lifecycle.js';
import { pendingSegments } from '../service/segments.js';
import { endpoints } from '../tables.js';

/** Steps the circuits kinds share (consent, regional segments, PE configuration). */

export function circuitIdOf(args: Pick<StepArgs<unknown>, 'outputs' | 'payload'>, step = 'record'): string {
  const fromOutput = args.outputs[step]?.circuitId;
  const fromPayload = (args.payload as { circuitId?: unknown } | undefined)?.circuitId;
  const id = typeof fromOutput === 'string' ? fromOutput : fromPayload;
  if (typeof id !== 'string') throw new Error('no circuit in this request');
  return id;
}

async function pendingConsents(db: DbOrTx, requestId: string) {
  return db
    .select({ id: endpoints.id })
    .from(endpoints)
    .where(
      and(eq(endpoints.requestId, requestId), eq(endpoints.consent, 'pending'), isNull(endpoints.removedAt)),
    );
}

/** Waits for every other institution's consent to its site being an endpoint. */
export function consentStep<P>(): HumanStep<P> {
  return {
    name: 'consent',
    type: 'human',
    actor: 'technical',
    description:
      'Another institution’s site is an endpoint only with its consent: its technical contact agrees (consentToCircuitEndpoint) or refuses (the request is returned). Approves itself when no consent is pending.',
    autoApprove: async (tx, { request }) =>
      (await pendingConsents(tx, request.id)).length === 0
        ? 'no consent of another institution is pending'
        : false,
    run: async (tx, { request }) => {
      const pending = await pendingConsents(tx, request.id);
      if (pending.length) {
        throw new PolicyRefusalError(
          'circuits.consent-pending',
          `${pending.length} other institution(s) have not agreed yet`,
        );
      }
      return {};
    },
  };
}

/** The order stays here until every regional segment of the circuit is active. */
export function regionalStep<P>(step = 'record'): HumanStep<P> {
  return {
    name: 'regional',
    type: 'human',
    actor: 'noc',
    description:
      'Each regional (collecte) segment is ordered from its regional operator and confirmed active by the NOC (updateRegionalSegment), one by one. Approves itself once every segment is active.',
    autoApprove: async (tx, args) =>
      (await pendingSegments(tx, circuitIdOf(args, step))).length === 0
        ? 'every regional segment is active'
        : false,
    run: async (tx, args) => {
      const pending = await pendingSegments(tx, circuitIdOf(args, step));
      if (pending.length) {
        throw new PolicyRefusalError(
          'circuits.segments-pending',
          `${pending.length} regional segment(s) are not active yet`,
        );
      }
      return {};
    },
  };
}

/** Regenerates and `bird -p`-checks the PE configurations the circuit touches (no transaction held). */
export function configureStep<P>(step = 'record'): ExternalStep<P> {
  return {
    name: 'configure',
    type: 'external',
    description:
      'Renders the BIRD configuration of every PE with an L3VPN site of the circuit (a VRF per VPN, `import limit N action restart`), checks it with `bird -p` and stores it; L2 services get their provisioning sheets.',
    retry: { limit: 3, delaySeconds: 5, backoff: true },
    run: async (db, args) => {
      const circuitId = circuitIdOf(args, step);
      const devices = await l3Devices(db, await devicesOfCircuit(db, circuitId));
      const configs = await generateDeviceConfigs(
        db,
        args.ctx,
        args.env.line('circuits').config,
        devices,
        args.request.id,
      );
      return { configs };
    },
  };
}
