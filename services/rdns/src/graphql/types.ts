import { builder, STAFF_READ } from '@guichet/graphql';
import { InstitutionRef } from '@guichet/membership';
import { formatPrefix, reverseZones } from '@guichet/net';
import { renderParentRecords } from '../model.js';
import { type DelegationRow, delegationChecks, institutionZones } from '../service/delegations.js';
import type { ParentZoneRow } from '../service/parent-zones.js';

/** The rdns GraphQL types (and `Institution.reverseZones`); queries.ts and mutations.ts use them. */

export const DelegationStateEnum = builder.enumType('ReverseDelegationState', {
  description: 'Where a reverse delegation stands.',
  values: {
    REQUESTED: { value: 'requested', description: 'Asked for, not checked yet.' },
    CHECKING: { value: 'checking', description: 'The pre-delegation check is running.' },
    PUBLISHED: { value: 'published', description: 'Published in the operator’s parent zone.' },
    LAME: { value: 'lame', description: 'Published, but the last check found a blocking error.' },
    WITHDRAWN: { value: 'withdrawn', description: 'Removed from the parent zone.' },
  } as const,
});

const NameServerRef = builder.simpleObject('ReverseNameServer', {
  description: 'A name server of a delegated reverse zone.',
  fields: (t) => ({
    name: t.string({ description: 'Its host name.' }),
    addresses: t.stringList({ description: 'Glue addresses (only for a name inside the zone).' }),
  }),
});

const DsRef = builder.simpleObject('DelegationSignerRecord', {
  description: 'A DS record published in the parent zone (RFC 4034 §5).',
  fields: (t) => ({
    keyTag: t.int({ description: 'Key tag of the DNSKEY.' }),
    algorithm: t.int({ description: 'DNSSEC algorithm number.' }),
    digestType: t.int({ description: 'Digest type: 2 (SHA-256) or 4 (SHA-384).' }),
    digest: t.string({ description: 'Digest, upper-case hexadecimal.' }),
  }),
});

const FindingRef = builder.simpleObject('DelegationFinding', {
  description: 'One finding of a check of the name servers.',
  fields: (t) => ({
    level: t.string({ description: '`error` (blocks), `warning` or `notice`.' }),
    code: t.string({ description: 'Stable code of the finding.' }),
    message: t.string({ description: 'What was found.' }),
  }),
});

const CheckRef = builder.simpleObject('DelegationCheck', {
  description: 'One check run of a delegation’s name servers.',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', description: 'When it ran.' }),
    blocking: t.boolean({ description: 'True when a finding is an error.' }),
    findings: t.field({ type: [FindingRef], description: 'Its findings.' }),
  }),
});

export const DelegationRef = builder.objectRef<DelegationRow>('ReverseDelegation').implement({
  description: 'A reverse zone of an institution delegated to its own name servers.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    zone: t.exposeString('zone', { description: 'The zone name (no final dot).' }),
    prefix: t.field({
      type: 'IPPrefix',
      description: 'The addresses the zone serves.',
      resolve: (d) => d.prefix,
    }),
    state: t.field({
      type: DelegationStateEnum,
      description: 'Its state.',
      resolve: (d) => d.state as never,
    }),
    nameservers: t.field({
      type: [NameServerRef],
      description: 'Its name servers.',
      resolve: (d) => d.nameservers,
    }),
    ds: t.field({ type: [DsRef], description: 'Its DS records.', resolve: (d) => d.ds }),
    lastCheckAt: t.expose('lastCheckAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was last checked.',
    }),
    checks: t.field({
      type: [CheckRef],
      description: 'Every check run, newest first.',
      resolve: async (d, _a, { database }) =>
        (await delegationChecks(database.db, d.id)).map((c) => ({
          at: c.at,
          blocking: c.blocking,
          findings: c.findings.map((f) => ({ level: f.level, code: f.code, message: f.message })),
        })),
    }),
    parentRecords: t.stringList({
      description: 'What the parent zone carries for it: NS, glue, DS, or the RFC 2317 CNAMEs.',
      resolve: (d) => {
        const z = reverseZones(d.prefix).find((r) => r.zone === d.zone);
        return z ? renderParentRecords({ ...z, nameservers: d.nameservers, ds: d.ds }) : [];
      },
    }),
  }),
});

const ReverseZoneRef = builder.simpleObject('ReverseZone', {
  description: 'A reverse zone derivable from one of the institution’s active assignments.',
  fields: (t) => ({
    zone: t.string({ description: 'The zone name.' }),
    kind: t.string({ description: '`octet`, `rfc2317` (below /24) or `nibble` (IPv6).' }),
    prefix: t.field({ type: 'IPPrefix', description: 'The addresses it serves.' }),
    parent: t.string({ nullable: true, description: 'RFC 2317: the /24 zone that carries the CNAMEs.' }),
    assignmentId: t.id({ description: 'The assignment it comes from.' }),
    delegation: t.field({ type: DelegationRef, nullable: true, description: 'Its live delegation, if any.' }),
  }),
});

builder.objectField(InstitutionRef, 'reverseZones', (t) =>
  t.field({
    type: [ReverseZoneRef],
    description: 'The reverse zones derivable from its active assignments, with their delegation.',
    resolve: async (inst, _a, { database }) =>
      (await institutionZones(database.db, inst.id)).map((z) => ({
        zone: z.zone,
        kind: z.kind,
        prefix: formatPrefix(z.prefix),
        parent: z.parent ?? null,
        assignmentId: z.assignmentId,
        delegation: z.delegation,
      })),
  }),
);

// inet text of a host address may carry its full mask; the API shows the bare address.
const host = (inet: string) => inet.replace(/\/(32|128)$/, '');

export const ParentZoneRef = builder.objectRef<ParentZoneRow>('ParentZone').implement({
  description:
    'One of the operator’s own reverse zones, into which members’ delegations are published. Operator staff.',
  authScopes: STAFF_READ,
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
