import { builder } from '@guichet/graphql';
import type { StepActor } from '../events.js';
import { type AnyKind, type AnyStep, listKinds, stepActor, waitsOnInstitution } from '../kinds.js';
import type { StepType } from '../rules.js';

/** The registry of request kinds, as the schema shows it (for forms, scripts and the NOC). */

export const StepActorEnum = builder.enumType('StepActor', {
  description: 'Who acts on a human step.',
  values: {
    HEAD: { value: 'head', description: 'The head of institution (signature).' },
    TECHNICAL: { value: 'technical', description: "A technical contact of the request's institution." },
    DESK: { value: 'desk', description: 'The agreement desk (administrative validation).' },
    NOC: { value: 'noc', description: 'The NOC (technical validation and execution).' },
  } as const satisfies Record<string, { value: StepActor; description: string }>,
});

export const StepTypeEnum = builder.enumType('StepType', {
  description: 'How a step runs.',
  values: {
    AUTOMATIC: { value: 'automatic', description: 'Runs at once, in the transaction that reaches it.' },
    HUMAN: { value: 'human', description: 'Waits for a person of a given role.' },
    EXTERNAL: { value: 'external', description: 'A background job talking to another system, with retries.' },
  } as const satisfies Record<string, { value: StepType; description: string }>,
});

const RequestKindStep = builder.objectRef<AnyStep>('RequestKindStep').implement({
  description: 'A step of a request kind.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Name of the step within its kind.' }),
    type: t.field({ type: StepTypeEnum, description: 'How it runs.', resolve: (s) => s.type }),
    description: t.exposeString('description', { description: 'What it does.' }),
    actor: t.field({
      type: StepActorEnum,
      nullable: true,
      description: 'Who acts on it (human steps).',
      resolve: (s) => stepActor(s) ?? null,
    }),
    waitsOnInstitution: t.boolean({
      description: 'The institution must act (the SLA clock of the ticket pauses meanwhile).',
      resolve: (s) => waitsOnInstitution(s),
    }),
  }),
});

export const RequestKindType = builder.objectRef<AnyKind>('RequestKind').implement({
  description: 'A kind of request and the steps it goes through.',
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'Identifier, e.g. `membership.agreementChange`.' }),
    title: t.exposeString('title', { description: 'Name for people.' }),
    description: t.exposeString('description', { description: 'What it is for.' }),
    queue: t.exposeString('queue', { description: 'The NOC queue its tickets go to.' }),
    steps: t.field({ type: [RequestKindStep], description: 'Its steps, in order.', resolve: (k) => k.steps }),
    responseMinutes: t.int({
      description: 'SLA: first-response target, in minutes.',
      resolve: (k) => k.sla.responseMinutes,
    }),
    resolutionMinutes: t.int({
      description: 'SLA: resolution target, in minutes.',
      resolve: (k) => k.sla.resolutionMinutes,
    }),
  }),
});

builder.queryField('requestKinds', (t) =>
  t.field({
    type: [RequestKindType],
    description: 'Every kind of request Guichet handles, with its steps.',
    authScopes: { authenticated: true },
    resolve: () => listKinds(),
  }),
);
