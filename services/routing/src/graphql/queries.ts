import { eq } from '@guichet/db';
import { builder } from '@guichet/graphql';
import { assignments } from '@guichet/ipam';
import { getInstitution, InstitutionRef } from '@guichet/membership';
import { routeObjectsFor } from '../rpsl-routes.js';
import { announcementsOf, getCollector, listCollectors, routingOf } from '../service/queries.js';
import { CollectorRef, InstitutionRoutingRef } from './types.js';

const RoaAdviceRef = builder.simpleObject('RoaAdvice', {
  description: 'The ROA to publish for a route (RFC 9319: maxLength equal to the prefix length).',
  fields: (t) => ({
    prefix: t.field({ type: 'IPPrefix', description: 'The prefix.' }),
    maxLength: t.int({ description: 'The maxLength to use.' }),
    asn: t.float({ description: 'The origin AS.' }),
  }),
});

const RouteObjectRef = builder.simpleObject('RouteObject', {
  description: 'The RPSL route or route6 object an announced prefix needs, with its ROA advice.',
  fields: (t) => ({
    prefix: t.field({ type: 'IPPrefix', description: 'The announced prefix.' }),
    text: t.string({ description: 'The RPSL text (`route:`/`route6:`, `origin:`, `mnt-by:`, `source:`).' }),
    roa: t.field({ type: RoaAdviceRef, description: 'The ROA advice.' }),
  }),
});

/** RPSL text is ASCII: `Université` becomes `Universite`, anything else unprintable goes. */
const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|#/g, '')
    .trim();

builder.queryFields((t) => ({
  collectors: t.field({
    type: [CollectorRef],
    description:
      'The regional collectors by name. Everyone signed in reads their names, regions and AS; the rest is the operator’s.',
    authScopes: { authenticated: true },
    resolve: (_r, _a, { database }) => listCollectors(database.db),
  }),
  collector: t.field({
    type: CollectorRef,
    nullable: true,
    description: 'One collector; null if it does not exist.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Its identifier.' }) },
    resolve: async (_r, { id }, { database }) => (await getCollector(database.db, String(id))) ?? null,
  }),
  routeObjects: t.field({
    type: [RouteObjectRef],
    nullable: true,
    description:
      'The RPSL route/route6 objects for the prefixes announced for an institution (origin: its origin AS; mnt-by: the assignment’s maintainers, else RIPE_MNT_BY; a prefix with neither is left out), with ROA advice; null if the institution does not exist or is not yours to see. The institution’s contacts and operator staff.',
    authScopes: { authenticated: true },
    args: { institutionId: t.arg.id({ required: true, description: 'The institution.' }) },
    resolve: async (_r, { institutionId }, { database, ctx, env }) => {
      const id = String(institutionId);
      const inst = await getInstitution(database.db, ctx.actor, id);
      if (!inst) return null;
      const routing = await routingOf(database.db, id);
      if (!routing) return [];
      const config = env.line('ipam').config;
      const held = await database.db
        .select({ id: assignments.id, mntBy: assignments.mntBy })
        .from(assignments)
        .where(eq(assignments.institutionId, id));
      const out = [];
      for (const a of await announcementsOf(database.db, id)) {
        // The assignment's maintainers, else the operator's default; none known: no object.
        const own = held.find((h) => h.id === a.assignmentId)?.mntBy ?? [];
        const mntBy = own.length > 0 ? own : (config.RIPE_MNT_BY ?? []);
        if (mntBy.length === 0) continue;
        const o = routeObjectsFor({
          prefix: a.prefix,
          originAs: routing.originAs,
          mntBy,
          source: config.RIPE_SOURCE,
          descr: ascii(inst.name),
        });
        out.push({ prefix: a.prefix, text: o.text, roa: o.roa });
      }
      return out;
    },
  }),
}));

// Reached only through an institution the caller may read, so the institution's own rule applies.
builder.objectField(InstitutionRef, 'routing', (t) =>
  t.field({
    type: InstitutionRoutingRef,
    description: 'Its routing: collector, origin AS, announced prefixes and routing change requests.',
    resolve: async (inst, _a, { database }) => ({
      institutionId: inst.id,
      row: (await routingOf(database.db, inst.id)) ?? null,
    }),
  }),
);
