import { and, asc, eq, ne } from '@guichet/db';
import { AUTHENTICATED, builder, PUBLIC, STAFF_READ } from '@guichet/graphql';
import { canReadInstitution } from '@guichet/membership';
import { exportEduroam } from '../export/index.js';
import { listPublications, proxyStatus } from '../service/proxy.js';
import { getServer } from '../service/servers.js';
import { getSite } from '../service/sites.js';
import { servers } from '../tables.js';
import { ProbeStateEnum } from './enums.js';
import { ServerRef, SiteRef } from './types.js';

/**
 * eduroam queries: one server or site (its institution's contacts and staff), the staff views
 * (every server with its probe state, the national proxy's publications, the full export) and
 * the public export (private contacts left out).
 */

const ExportViewEnum = builder.enumType('EduroamExportView', {
  description: 'Which export.',
  values: {
    PUBLIC: { value: 'public', description: 'For anyone: private contacts are left out.' },
    FULL: {
      value: 'full',
      description:
        'For the eduroam database submission: every contact with its privacy flag. Operator staff.',
    },
  } as const,
});

const ExportRef = builder
  .objectRef<{ institutionJson: unknown; roJson: unknown }>('EduroamExport')
  .implement({
    description: 'The eduroam database v2 documents, validated against the v2 schema.',
    fields: (t) => ({
      institutionJson: t.string({
        description: 'institution.json, as JSON text.',
        resolve: (e) => JSON.stringify(e.institutionJson),
      }),
      roJson: t.string({ description: 'ro.json, as JSON text.', resolve: (e) => JSON.stringify(e.roJson) }),
    }),
  });

const PublicationRef = builder
  .objectRef<Awaited<ReturnType<typeof listPublications>>[number]>('EduroamProxyPublication')
  .implement({
    description: 'One attempt to put a generated configuration in front of the national proxy.',
    fields: (t) => ({
      at: t.expose('at', { type: 'DateTime', description: 'When.' }),
      hash: t.exposeString('hash', { description: 'SHA-256 of the generated proxy.conf and clients.conf.' }),
      status: t.exposeString('status', {
        description: '`deployed`, `refused` (freeradius -XC), `rolled_back`, `failed`.',
      }),
      errors: t.exposeStringList('errors', {
        description: 'What freeradius -XC (or the restart check) said.',
      }),
      checkMs: t.exposeInt('checkMs', { nullable: true, description: 'How long freeradius -XC took, ms.' }),
      institutions: t.exposeInt('institutions', { description: 'Institutions in it.' }),
      servers: t.exposeInt('servers', { description: 'Servers in it.' }),
      realms: t.exposeInt('realms', { description: 'Realms in it.' }),
    }),
  });

const ProxyRef = builder.objectRef<Awaited<ReturnType<typeof proxyStatus>>>('EduroamProxy').implement({
  description: 'The national proxy’s configuration as Guichet last deployed it.',
  fields: (t) => ({
    deployedHash: t.exposeString('deployedHash', {
      nullable: true,
      description: 'Hash of the configuration running.',
    }),
    deployedAt: t.expose('deployedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was swapped in.',
    }),
    release: t.exposeString('release', {
      nullable: true,
      description: 'The release directory the proxy runs.',
    }),
    publications: t.field({
      type: [PublicationRef],
      description: 'The latest publications, newest first.',
      args: {
        last: t.arg.int({ required: false, defaultValue: 20, description: 'How many (at most 200).' }),
      },
      resolve: (_p, { last }, { database }) =>
        listPublications(database.db, Math.min(Math.max(last ?? 20, 1), 200)),
    }),
  }),
});

builder.queryFields((t) => ({
  eduroamServer: t.field({
    type: ServerRef,
    nullable: true,
    description: 'One eduroam RADIUS server; null if it does not exist or is not yours to see.',
    authScopes: AUTHENTICATED,
    args: { id: t.arg.id({ required: true, description: 'Its identifier.' }) },
    resolve: async (_r, { id }, { database, ctx }) => {
      const row = await getServer(database.db, String(id));
      return row && canReadInstitution(ctx.actor, row.institutionId) ? row : null;
    },
  }),
  eduroamSite: t.field({
    type: SiteRef,
    nullable: true,
    description: 'One eduroam site; null if it does not exist or is not yours to see.',
    authScopes: AUTHENTICATED,
    args: { id: t.arg.id({ required: true, description: 'Its identifier.' }) },
    resolve: async (_r, { id }, { database, ctx }) => {
      const row = await getSite(database.db, String(id));
      return row && canReadInstitution(ctx.actor, row.institutionId) ? row : null;
    },
  }),
  eduroamServers: t.field({
    type: [ServerRef],
    description: 'Every live eduroam server, those down first. Operator staff (the NOC’s view).',
    authScopes: STAFF_READ,
    args: {
      probeState: t.arg({ type: ProbeStateEnum, required: false, description: 'Only those in this state.' }),
    },
    resolve: (_r, { probeState }, { database }) =>
      database.db
        .select()
        .from(servers)
        .where(and(ne(servers.state, 'removed'), probeState ? eq(servers.probeState, probeState) : undefined))
        .orderBy(asc(servers.probeState), asc(servers.name))
        .limit(5000),
  }),
  eduroamProxy: t.field({
    type: ProxyRef,
    description: 'The national proxy’s deployed configuration and its publications. Operator staff.',
    authScopes: STAFF_READ,
    resolve: (_r, _a, { database }) => proxyStatus(database.db),
  }),
  eduroamExport: t.field({
    type: ExportRef,
    description:
      'The eduroam database v2 export (institution.json, ro.json). PUBLIC for anyone; FULL for operator staff.',
    authScopes: (_r, args) => ((args as { view?: string }).view === 'full' ? STAFF_READ : PUBLIC),
    args: {
      view: t.arg({
        type: ExportViewEnum,
        required: false,
        defaultValue: 'public',
        description: 'Which export (default PUBLIC).',
      }),
    },
    resolve: (_r, { view }, { database, env }) =>
      exportEduroam(database.db, env.line('eduroam'), view ?? 'public'),
  }),
}));
