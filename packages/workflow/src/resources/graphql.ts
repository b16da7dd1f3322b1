import { isUuid } from '@guichet/core';
import { builder, keysetConnection } from '@guichet/graphql';
import { InstitutionRef, institutionById, readableInstitutions } from '@guichet/membership';
import { RequestRef } from '../graphql/requests.js';
import { listResources, type ResourceRow, resourceRequestsOf } from './service.js';
import { RESOURCE_STATES } from './tables.js';

/**
 * Every line's resources in one list: the NOC's cross-line view ("what does this institution
 * hold?", "what is provisioning?"), and each resource's requests.
 */

export const ResourceStateEnum = builder.enumType('ResourceState', {
  description: 'The lifecycle common to every line’s resources.',
  values: Object.fromEntries(
    RESOURCE_STATES.map((s) => [
      s.toUpperCase(),
      {
        value: s,
        description: {
          requested: 'Asked for; nothing set up yet.',
          provisioning: 'Being set up (allocated, waiting for a registry, a check or a person).',
          active: 'In service.',
          disabled: 'Out of service for now (lame, suspended, in redemption, quarantined).',
          terminated: 'Gone for good (returned, deleted, withdrawn).',
        }[s],
      },
    ]),
  ) as Record<string, { value: (typeof RESOURCE_STATES)[number]; description: string }>,
});

const ResourceRequestRef = builder.simpleObject('ResourceRequest', {
  description: 'A request that made or changed a resource.',
  fields: (t) => ({
    role: t.string({ description: '`created` or `changed`.' }),
    at: t.field({ type: 'DateTime', description: 'When it touched the resource.' }),
    request: t.field({ type: RequestRef, description: 'The request.' }),
  }),
});

export const ResourceRef = builder.objectRef<ResourceRow>('Resource').implement({
  description: 'Something a completed request left behind, in any service line.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier of this record.' }),
    line: t.exposeString('line', { description: 'The service line (`ipam`, `rdns`, `routing`…).' }),
    type: t.exposeString('type', {
      description: 'The line’s object type (`Assignment`, `ReverseDelegation`…).',
    }),
    objectId: t.exposeID('objectId', { description: 'The line’s own identifier of the object.' }),
    name: t.exposeString('name', { description: 'What people call it: the prefix, the zone, the name…' }),
    state: t.field({
      type: ResourceStateEnum,
      description: 'Where it stands in the common lifecycle.',
      resolve: (r) => r.state as never,
    }),
    lineState: t.exposeString('lineState', { description: 'The line’s own state word.' }),
    institution: t.field({
      type: InstitutionRef,
      description: 'The institution holding it.',
      // The resource is visible, so its institution is too.
      resolve: (r, _a, { database }) => institutionById(database.db, r.institutionId),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was first recorded.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When its state last changed.' }),
    requests: t.field({
      type: [ResourceRequestRef],
      description: 'The requests that made and changed it, oldest first.',
      resolve: async (r, _a, { database }) => resourceRequestsOf(database.db, r.id),
    }),
  }),
});

const cursor = (r: ResourceRow) => r.id;

builder.queryField('resources', (t) =>
  t.connection({
    type: ResourceRef,
    description:
      'Resources of every service line: all of them for operator staff, your institution’s for a contact.',
    authScopes: { authenticated: true },
    args: {
      line: t.arg.string({ required: false, description: 'Only this line’s (`ipam`, `rdns`…).' }),
      type: t.arg.string({ required: false, description: 'Only this object type.' }),
      institutionId: t.arg.id({ required: false, description: 'Only this institution’s.' }),
      state: t.arg({ type: ResourceStateEnum, required: false, description: 'Only in this state.' }),
    },
    resolve: (_r, args, { database, ctx }) =>
      keysetConnection(args, cursor, async (after, limit) => {
        const readable = readableInstitutions(ctx.actor);
        const wanted = args.institutionId ? String(args.institutionId) : undefined;
        if (wanted && !isUuid(wanted)) return [];
        const institutionIds =
          wanted === undefined ? readable : readable === 'all' || readable.includes(wanted) ? [wanted] : [];
        return listResources(
          database.db,
          { line: args.line, type: args.type, state: args.state ?? null, institutionIds },
          after,
          limit,
        );
      }),
  }),
);
