import { ConflictError, ValidationError } from '@guichet/core';
import { builder } from '@guichet/graphql';
import { createParentZone, listParentZones, type ParentZoneRow } from './parent-zones.js';

/**
 * The operator's parent zones over GraphQL: operator staff read them, the NOC declares them.
 * Importing this file registers the type, the query and the mutation on the shared builder.
 */

const STAFF = { staff: true } as const;
const NOC = { $all: { write: true, staffRole: 'noc' } } as const;
// inet text of a host address may carry its full mask; the API shows the bare address.
const host = (inet: string) => inet.replace(/\/(32|128)$/, '');

export const ParentZoneRef = builder.objectRef<ParentZoneRow>('ParentZone').implement({
  description:
    'One of the operator’s own reverse zones, into which members’ delegations are published. Operator staff.',
  authScopes: STAFF,
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    zone: t.field({
      type: 'DomainName',
      description: 'The zone name, derived from the prefix (e.g. `48.193.in-addr.arpa`).',
      resolve: (z) => z.zone,
    }),
    prefix: t.field({
      type: 'IPPrefix',
      description: 'The addresses the zone covers.',
      resolve: (z) => z.prefix,
    }),
    serverAddress: t.field({
      type: 'IPAddress',
      description:
        'The operator’s authoritative server that serves the zone (publication is verified there).',
      resolve: (z) => host(z.serverAddress),
    }),
    serverPort: t.exposeInt('serverPort', { description: 'Its DNS port.' }),
    mname: t.field({
      type: 'DomainName',
      description: 'SOA MNAME: the primary name server.',
      resolve: (z) => z.mname,
    }),
    rname: t.field({
      type: 'DomainName',
      description: 'SOA RNAME: the responsible mailbox, written as a domain name.',
      resolve: (z) => z.rname,
    }),
    nameservers: t.field({
      type: ['DomainName'],
      description: 'The zone’s name servers (apex NS).',
      resolve: (z) => z.nameservers,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was declared.' }),
  }),
});

builder.queryFields((t) => ({
  parentZones: t.field({
    type: [ParentZoneRef],
    description: 'The operator’s parent zones, IPv4 first, by prefix. Operator staff.',
    authScopes: STAFF,
    resolve: (_r, _a, { database }) => listParentZones(database.db),
  }),
}));

const CreateParentZoneInput = builder.inputType('CreateParentZoneInput', {
  description: 'A parent zone to declare; its name is derived from the prefix.',
  fields: (f) => ({
    prefix: f.field({
      type: 'IPPrefix',
      description: 'The addresses it covers: an IPv4 /8, /16 or /24, or an IPv6 prefix on a nibble boundary.',
    }),
    serverAddress: f.field({
      type: 'IPAddress',
      description: 'The operator’s authoritative server that serves the zone.',
    }),
    serverPort: f.int({ required: false, description: 'Its DNS port (default 53).' }),
    mname: f.field({ type: 'DomainName', description: 'SOA MNAME: the primary name server.' }),
    rname: f.field({
      type: 'DomainName',
      description: 'SOA RNAME: the responsible mailbox as a domain name (`hostmaster.example.fr`).',
    }),
    nameservers: f.field({
      type: ['DomainName'],
      description: 'The zone’s name servers (apex NS): at least one, distinct.',
    }),
  }),
});

builder.mutationFields((t) => ({
  createParentZone: t.field({
    type: builder.simpleObject('CreateParentZonePayload', {
      description: 'The new parent zone.',
      fields: (f) => ({ parentZone: f.field({ type: ParentZoneRef, description: 'The parent zone.' }) }),
    }),
    description:
      'Declares one of the operator’s parent zones. Parent zones may nest (a /24 inside a /16: a delegation goes to the most specific); the same zone twice is a conflict. NOC.',
    authScopes: NOC,
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: CreateParentZoneInput, description: 'The parent zone.' }) },
    resolve: async (_r, { input }, { database, ctx }) => ({
      parentZone: await createParentZone(database.db, ctx, input),
    }),
  }),
}));
