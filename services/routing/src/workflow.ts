import { defineKind } from '@guichet/workflow';
import { z } from 'zod';
import { applyPlan, type ChangeAsk, planChange } from './service/change.js';
import { generateConfigs } from './service/configs.js';

/**
 * `routing.change`: check (automatic: every rule) → noc (human, NOC; approves itself when
 * every prefix is an ipam assignment of the institution or a PI prefix the NOC accepted
 * before, so the normal case has no human at all) → apply (automatic: announcements,
 * collector, session, origin AS replaced in one transaction) → generate (automatic: the
 * configuration of every affected collector, old and new, rendered, `bird -p`-checked and
 * stored). No administrative step, and no wait on any other request.
 */

export const ROUTING_CHANGE = 'routing.change';

export const routingChangeSchema = z.object({
  collectorId: z.uuid().optional(),
  sessionId: z.uuid().optional(),
  /** The FULL list to announce after the change (an empty list withdraws everything). */
  prefixes: z.array(z.string().trim().min(1).max(60)).max(1000),
  originAs: z.number().int().min(1).max(4294967295).optional(),
  /** Evidence for provider-independent prefixes (RIPE object, registry letter…). */
  pi: z
    .array(
      z.object({ prefix: z.string().trim().min(1).max(60), evidence: z.string().trim().min(1).max(4000) }),
    )
    .max(100)
    .optional(),
});
export type RoutingChange = z.output<typeof routingChangeSchema>;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);

export const ROUTING_CHANGE_KIND = defineKind<RoutingChange>({
  kind: ROUTING_CHANGE,
  queue: 'routing',
  title: 'Routing change',
  description:
    'Moves the institution to another regional collector and/or changes the prefixes announced for it. Applied at once when every prefix is one of its active assignments (or a provider-independent prefix the NOC has accepted); a new provider-independent prefix waits for the NOC.',
  schema: routingChangeSchema,
  steps: [
    {
      name: 'check',
      type: 'automatic',
      description:
        'Checks each prefix (held by the institution, not announced for another one, not longer than /24 or /48, no bogon) and the session’s import limit.',
      run: async (tx, { request, payload, env }) => {
        const plan = await planChange(
          tx,
          env.line('routing').limits,
          request.institutionId,
          payload as ChangeAsk,
        );
        return {
          collectorId: plan.collectorId,
          sessionId: plan.sessionId,
          originAs: plan.originAs,
          fromCollectorId: plan.fromCollectorId,
          prefixes: plan.announcements.map((a) => a.prefix),
          pendingPi: plan.pendingPi,
        };
      },
    },
    {
      name: 'noc',
      type: 'human',
      actor: 'noc',
      description:
        'The NOC checks the evidence of new provider-independent prefixes; approves itself when there is none.',
      autoApprove: async (_tx, { outputs }) =>
        strings(outputs.check?.pendingPi).length === 0
          ? 'every prefix is an active assignment of the institution or a provider-independent prefix accepted before'
          : false,
      run: async (_tx, { outputs }) => ({ acceptedPi: strings(outputs.check?.pendingPi) }),
    },
    {
      name: 'apply',
      type: 'automatic',
      description:
        'Checks again under lock, then replaces the announcements, collector, session and origin AS of the institution.',
      run: async (tx, { request, payload, ctx, outputs, env }) => {
        const plan = await planChange(
          tx,
          env.line('routing').limits,
          request.institutionId,
          payload as ChangeAsk,
          true,
        );
        await applyPlan(tx, ctx, request.institutionId, request.id, plan, strings(outputs.noc?.acceptedPi));
        return {
          collectors: [plan.collectorId, ...(plan.fromCollectorId ? [plan.fromCollectorId] : [])],
          announced: plan.announcements.length,
        };
      },
    },
    {
      name: 'generate',
      type: 'automatic',
      description:
        'Renders the BIRD configuration of every affected collector (old and new), checks it with `bird -p` and stores it; a configuration BIRD refuses undoes the change.',
      run: async (tx, { request, ctx, outputs, env }) => ({
        configs: await generateConfigs(
          tx,
          ctx,
          env.line('routing').limits,
          strings(outputs.apply?.collectors),
          request.id,
        ),
      }),
    },
  ],
  sla: { responseMinutes: 60, resolutionMinutes: 24 * 60 },
});
