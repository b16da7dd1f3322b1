import { batchLoader, builder, type GraphQLContext } from '@guichet/graphql';
import { canReadInstitution, InstitutionRef, institutionsOf, isStaff, SiteRef } from '@guichet/membership';
import { bogonOf, reverseZones } from '@guichet/net';
import { LIFECYCLES, type Lifecycle, STRATEGIES, type Strategy } from '../model.js';
import { assignmentObjectFor } from '../rpsl/builders.js';
import { renderRpsl } from '../rpsl/model.js';
import type { AssignmentRow, PoolRow, ReservationRow } from '../service/internal.js';
import { poolsByIds, sitesByIds } from './prefix-pages.js';
import { largestFreeBlock, liveReservations } from './read.js';

/**
 * The ipam types of the schema. Refs are exported so that other ipam GraphQL files (the
 * registry fields) can extend them.
 */

export const PoolRef = builder.objectRef<PoolRow>('Pool');
export const AssignmentRef = builder.objectRef<AssignmentRow>('Assignment');
export const ReservationRef = builder.objectRef<ReservationRow>('Reservation');

export const IpFamilyEnum = builder.enumType('IpFamily', {
  description: 'An address family.',
  values: {
    IPV4: { value: 4, description: 'IPv4.' },
    IPV6: { value: 6, description: 'IPv6.' },
  } as const,
});

const STRATEGY_TEXT: Record<Strategy, string> = {
  best_fit: 'The smallest free block that fits (default for IPv4: big blocks stay whole).',
  sparse:
    'RFC 3531 bisection: the largest free block first, so each assignment has room to grow (default for IPv6).',
  first_fit: 'The lowest free address that fits.',
  last_fit: 'The highest free address that fits.',
};
export const AllocationStrategyEnum = builder.enumType('AllocationStrategy', {
  description: 'How a pool picks the next free block.',
  values: Object.fromEntries(
    STRATEGIES.map((s) => [s.toUpperCase(), { value: s, description: STRATEGY_TEXT[s] }]),
  ) as Record<Uppercase<Strategy>, { value: Strategy; description: string }>,
});

const LIFECYCLE_TEXT: Record<Lifecycle, string> = {
  reserved: 'Allocated by an approved request, not registered yet.',
  active: 'Registered and in use.',
  returned: 'Given back by the institution; the space is still held.',
  quarantined: 'Returned and waiting out its quarantine before the space is reused.',
  free: 'The quarantine is over: the space is back in the pool.',
};
export const AssignmentLifecycleEnum = builder.enumType('AssignmentLifecycle', {
  description: 'Where an assignment stands.',
  values: Object.fromEntries(
    LIFECYCLES.map((l) => [l.toUpperCase(), { value: l, description: LIFECYCLE_TEXT[l] }]),
  ) as Record<Uppercase<Lifecycle>, { value: Lifecycle; description: string }>,
});

export const ReservationKindEnum = builder.enumType('ReservationKind', {
  description: 'Why space is held.',
  values: {
    GROWTH: { value: 'growth', description: 'Room for an assignment to grow into.' },
    HOLD: { value: 'hold', description: 'A temporary hold, usually with an expiry.' },
  } as const,
});

interface Utilisation {
  unitLength: number;
  size: number;
  used: number;
  reserved: number;
}

const UtilisationType = builder.objectRef<Utilisation>('PoolUtilisation').implement({
  description:
    'How full a pool is, from its maintained counters. Counted in units: addresses for IPv4, /64s for IPv6 (an IPv6 block longer than /64 counts as one).',
  fields: (t) => ({
    unitLength: t.exposeInt('unitLength', {
      description: 'The prefix length of one unit: 32 (an address) for IPv4, 64 for IPv6.',
    }),
    size: t.exposeFloat('size', { description: 'Units in the pool (an exact integer).' }),
    used: t.exposeFloat('used', {
      description: 'Units held by assignments in any holding lifecycle and by child pools.',
    }),
    reserved: t.exposeFloat('reserved', { description: 'Units held by live reservations.' }),
    free: t.float({
      description: 'Units neither used nor reserved.',
      resolve: (u) => u.size - u.used - u.reserved,
    }),
    ratio: t.float({
      description: 'Share of the pool used or reserved, between 0 and 1.',
      resolve: (u) => (u.size === 0 ? 0 : (u.used + u.reserved) / u.size),
    }),
  }),
});

/** The request's pool loader: every pool a page of rows names, read once. */
export const poolLoader = (c: GraphQLContext) =>
  batchLoader(c, 'ipam.pool', (ids: readonly string[]) => poolsByIds(c.database.db, ids));

const rpslList = (description: string) => ({ description });

PoolRef.implement({
  description:
    'Address space of the operator: a block from the RIR or a subdivision of one, from which assignments are carved. Operator staff only.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    name: t.exposeString('name', { description: 'Name.' }),
    prefix: t.expose('prefix', { type: 'IPPrefix', description: 'The block.' }),
    family: t.field({
      type: IpFamilyEnum,
      description: 'Address family.',
      resolve: (p) => p.family as 4 | 6,
    }),
    ripeStatus: t.exposeString('status', {
      description:
        'RIPE status (`ALLOCATED PA`, `ALLOCATED-BY-RIR`, `SUB-ALLOCATED PA`, `AGGREGATED-BY-LIR`…).',
    }),
    assignmentSize: t.exposeInt('assignmentSize', {
      nullable: true,
      description: 'For AGGREGATED-BY-LIR: the size of every assignment in it.',
    }),
    purpose: t.exposeString('purpose', { description: 'What the pool is for.' }),
    strategy: t.field({
      type: AllocationStrategyEnum,
      description: 'How the next free block is picked.',
      resolve: (p) => p.strategy as Strategy,
    }),
    depth: t.exposeInt('depth', { description: '0 for space from the RIR, 1… for subdivisions.' }),
    parent: t.field({
      type: PoolRef,
      nullable: true,
      description: 'The pool it was carved from; null for space from the RIR.',
      resolve: async (p, _a, c) => (p.parentId ? ((await poolLoader(c).load(p.parentId)) ?? null) : null),
    }),
    utilisation: t.field({
      type: UtilisationType,
      description: 'How full it is (maintained counters: a plain read).',
      resolve: (p) => ({
        unitLength: p.unitLength,
        size: p.sizeUnits,
        used: p.usedUnits,
        reserved: p.reservedUnits,
      }),
    }),
    largestFreeBlock: t.field({
      type: 'IPPrefix',
      nullable: true,
      description:
        'The largest free block (lowest address among equals), from the free list; null when full.',
      resolve: (p, _a, { database }) => largestFreeBlock(database.db, p.id),
    }),
    assignmentCount: t.exposeInt('assignmentCount', {
      description: 'Assignments in a holding lifecycle (reserved, active, returned, quarantined).',
    }),
    reservations: t.field({
      type: [ReservationRef],
      description: 'Its live (not released) reservations, by prefix.',
      resolve: (p, _a, { database }) => liveReservations(database.db, p.id),
    }),
    netname: t.exposeString('netname', {
      nullable: true,
      description: 'Default netname of the assignments made in it.',
    }),
    country: t.exposeString('country', {
      nullable: true,
      description: 'Default country code of the assignments made in it.',
    }),
    adminC: t.exposeStringList('adminC', rpslList('Default admin-c (NIC handles) of its assignments.')),
    techC: t.exposeStringList('techC', rpslList('Default tech-c (NIC handles) of its assignments.')),
    mntBy: t.exposeStringList('mntBy', rpslList('Default mnt-by (maintainers) of its assignments.')),
    source: t.exposeString('source', { description: 'RPSL source (registry), e.g. RIPE.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    bogon: t.string({
      nullable: true,
      description:
        'When the pool lies in space the Internet does not route (documentation, private…, accepted with `acceptBogon` for a lab or a test): which bogon, and why. Routing refuses to announce its prefixes and the RIPE database holds no object for them. Null for routable space.',
      resolve: (p) => {
        const b = bogonOf(p.prefix);
        return b ? `${b.prefix}, ${b.why}` : null;
      },
    }),
    retiredAt: t.expose('retiredAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the NOC retired it (`retirePool`): nothing is allocated from it any more.',
    }),
    retiredReason: t.exposeString('retiredReason', {
      nullable: true,
      description: 'Why it was retired.',
    }),
  }),
});

/** The RPSL object of an assignment, as the RIPE database holds it. */
export function assignmentRpsl(a: AssignmentRow): string {
  return renderRpsl(
    assignmentObjectFor({
      prefix: a.prefix,
      netname: a.netname,
      country: a.country,
      adminC: a.adminC,
      techC: a.techC,
      mntBy: a.mntBy,
      status: a.status,
      source: a.source,
      descr: a.descr ?? undefined,
    }),
  );
}

AssignmentRef.implement({
  description:
    'A prefix assigned to an institution, with its RIPE registration attributes. Visible to operator staff and to the contacts of that institution.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    prefix: t.expose('prefix', { type: 'IPPrefix', description: 'The assigned prefix.' }),
    family: t.field({
      type: IpFamilyEnum,
      description: 'Address family.',
      resolve: (a) => a.family as 4 | 6,
    }),
    institution: t.field({
      type: InstitutionRef,
      description: 'The institution it is assigned to.',
      // Whoever sees the assignment sees its institution (same rule): a miss is a bug.
      // Batched: a page of assignments reads its institutions in one statement.
      resolve: async (a, _args, c) => {
        if (!canReadInstitution(c.ctx.actor, a.institutionId)) {
          throw new Error(`institution ${a.institutionId} of assignment ${a.id} not readable`);
        }
        const inst = await batchLoader(c, 'membership.institution', (ids: readonly string[]) =>
          institutionsOf(c.database.db, ids),
        ).load(a.institutionId);
        if (!inst) throw new Error(`institution ${a.institutionId} of assignment ${a.id} not found`);
        return inst;
      },
    }),
    site: t.field({
      type: SiteRef,
      nullable: true,
      description: 'The site it serves, if one was named.',
      resolve: async (a, _args, c) =>
        a.siteId
          ? ((await batchLoader(c, 'ipam.site', (ids: readonly string[]) =>
              sitesByIds(c.database.db, ids),
            ).load(a.siteId)) ?? null)
          : null,
    }),
    pool: t.field({
      type: PoolRef,
      nullable: true,
      description: 'The pool it was carved from (operator staff only; null for a contact).',
      // Batched and deduplicated: a page of assignments reads each of its (few) pools once, in
      // one statement, rather than a pool row per assignment.
      resolve: async (a, _args, c) =>
        isStaff(c.ctx.actor) ? ((await poolLoader(c).load(a.poolId)) ?? null) : null,
    }),
    purpose: t.exposeString('purpose', { description: 'What it is for.' }),
    ripeStatus: t.exposeString('status', {
      description: 'RIPE status: `ASSIGNED PA` (IPv4) or `ASSIGNED` (IPv6).',
    }),
    lifecycle: t.field({
      type: AssignmentLifecycleEnum,
      description: 'Where it stands.',
      resolve: (a) => a.lifecycle as Lifecycle,
    }),
    netname: t.exposeString('netname', { description: 'RPSL netname.' }),
    country: t.exposeString('country', { description: 'RPSL country (two letters).' }),
    adminC: t.exposeStringList('adminC', rpslList('RPSL admin-c (NIC handles).')),
    techC: t.exposeStringList('techC', rpslList('RPSL tech-c (NIC handles).')),
    mntBy: t.exposeStringList('mntBy', rpslList('RPSL mnt-by (maintainers).')),
    source: t.exposeString('source', { description: 'RPSL source (registry), e.g. RIPE.' }),
    descr: t.exposeString('descr', { nullable: true, description: 'RPSL descr.' }),
    justification: t.exposeString('justification', {
      nullable: true,
      description: 'The documentation RIPE asks for, kept with the assignment.',
    }),
    requestId: t.exposeID('requestId', {
      nullable: true,
      description: 'The request that made it; null for a manual assignment by the NOC.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was allocated.' }),
    activatedAt: t.expose('activatedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it became active (registered).',
    }),
    returnedAt: t.expose('returnedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was given back.',
    }),
    quarantineUntil: t.expose('quarantineUntil', {
      type: 'DateTime',
      nullable: true,
      description: 'While quarantined: when the space may be reused.',
    }),
    rpsl: t.string({
      nullable: true,
      description:
        'The RPSL object as registered in the RIPE database: `inetnum` (key as a range `a.b.c.d - e.f.g.h`) or `inet6num`.',
      resolve: (a) => assignmentRpsl(a),
    }),
    reverseZones: t.stringList({
      description:
        'The reverse DNS zones that cover it, to delegate: IPv6 nibble zones (a /48 is one), IPv4 octet zones, or for an IPv4 block longer than /24 one RFC 2317 zone (`64-127.2.0.192.in-addr.arpa`, delegated from its /24 parent).',
      resolve: (a) => reverseZones(a.prefix).map((z) => z.zone),
    }),
  }),
});

ReservationRef.implement({
  description:
    'Space held in a pool without an assignment: room to grow, or a temporary hold. Operator staff only.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier.' }),
    prefix: t.expose('prefix', { type: 'IPPrefix', description: 'The block held.' }),
    envelope: t.expose('envelope', {
      type: 'IPPrefix',
      nullable: true,
      description:
        'Growth only: the whole envelope this block belongs to (the envelope is kept as the blocks around its assignments; releasing one releases all).',
    }),
    family: t.field({
      type: IpFamilyEnum,
      description: 'Address family.',
      resolve: (r) => r.family as 4 | 6,
    }),
    kind: t.field({
      type: ReservationKindEnum,
      description: 'Growth room or temporary hold.',
      resolve: (r) => r.kind as 'growth' | 'hold',
    }),
    pool: t.field({
      type: PoolRef,
      description: 'The pool it sits in.',
      resolve: async (r, _a, c) => {
        const p = await poolLoader(c).load(r.poolId);
        if (!p) throw new Error(`pool ${r.poolId} of reservation ${r.id} missing`);
        return p;
      },
    }),
    institutionId: t.exposeID('institutionId', {
      nullable: true,
      description: 'The institution it is held for.',
    }),
    assignmentId: t.exposeID('assignmentId', {
      nullable: true,
      description: 'The assignment it is growth room for.',
    }),
    reason: t.exposeString('reason', { description: 'Why it is held.' }),
    expiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it is released by the expiry job; null for no expiry.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was made.' }),
    releasedAt: t.expose('releasedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was released; null while it holds space.',
    }),
  }),
});
