import {
  ConflictError,
  NotFoundError,
  PolicyRefusalError,
  UnavailableError,
  ValidationError,
} from '@guichet/core';
import { builder } from '@guichet/graphql';
import { ripeDriftReport } from '../drift.js';
import { importRpsl } from '../import.js';
import type { DriftDifference } from '../rpsl/drift.js';
import { primaryKey, type RpslObject, renderRpsl } from '../rpsl/model.js';

/**
 * The RIPE database side of ipam for staff: the drift report (live) and the import of
 * existing registrations. Imported from services/ipam/src/graphql/index.ts.
 */

interface DriftView {
  configured: boolean;
  checkedAt: Date | null;
  held: number;
  inSync: boolean;
  missingRemotely: RpslObject[];
  extraRemotely: RpslObject[];
  differing: DriftDifference[];
}

const RpslObjectRef = builder.objectRef<RpslObject>('RipeObject').implement({
  description: 'An RPSL object (inetnum / inet6num).',
  fields: (t) => ({
    type: t.exposeString('type', { description: '`inetnum` or `inet6num`.' }),
    key: t.string({
      description: 'Primary key, as the RIPE database writes it.',
      resolve: (o) => primaryKey(o),
    }),
    text: t.string({ description: 'The object in RPSL text.', resolve: (o) => renderRpsl(o) }),
  }),
});

const DriftDifferenceRef = builder.objectRef<DriftDifference>('RipeDriftDifference').implement({
  description: 'One attribute whose values differ between Guichet and the RIPE database.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Primary key of the object.' }),
    attribute: t.exposeString('attribute', { description: 'The attribute name.' }),
    held: t.exposeStringList('held', { description: 'Values Guichet holds.' }),
    remote: t.exposeStringList('remote', { description: 'Values the RIPE database returns.' }),
  }),
});

const DriftRef = builder.objectRef<DriftView>('RipeDriftReport').implement({
  description: 'What Guichet holds (active assignments) vs what the RIPE database returns.',
  fields: (t) => ({
    configured: t.exposeBoolean('configured', { description: 'False when no RIPE database is configured.' }),
    checkedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the database was read.',
      resolve: (r) => r.checkedAt,
    }),
    held: t.exposeInt('held', { description: 'Objects compared.' }),
    inSync: t.exposeBoolean('inSync', { description: 'Nothing differs.' }),
    missingRemotely: t.field({
      type: [RpslObjectRef],
      description: 'Held by Guichet, absent from the RIPE database.',
      resolve: (r) => r.missingRemotely,
    }),
    extraRemotely: t.field({
      type: [RpslObjectRef],
      description: 'In the RIPE database only (empty: only held keys are read).',
      resolve: (r) => r.extraRemotely,
    }),
    differing: t.field({
      type: [DriftDifferenceRef],
      description: 'Attributes that differ.',
      resolve: (r) => r.differing,
    }),
  }),
});

builder.queryField('ripeDrift', (t) =>
  t.field({
    type: DriftRef,
    description: 'Reads the RIPE database now and compares it with the active assignments (staff).',
    authScopes: { staff: true },
    args: { poolId: t.arg.id({ required: false, description: 'Only this pool’s assignments.' }) },
    resolve: async (_r, { poolId }, { database, env }) => {
      const { ripe: client, ripeSettings } = env.line('ipam');
      if (!client) {
        return {
          configured: false,
          checkedAt: null,
          held: 0,
          inSync: true,
          missingRemotely: [],
          extraRemotely: [],
          differing: [],
        };
      }
      const r = await ripeDriftReport(database, client, ripeSettings, {
        poolId: poolId ? String(poolId) : undefined,
      });
      return { ...r, configured: true };
    },
  }),
);

const ImportConflictRef = builder.objectRef<{ key: string; reason: string }>('RipeImportConflict').implement({
  description: 'An object the import did not write, and why.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Primary key as written in the text.' }),
    reason: t.exposeString('reason', { description: 'Why it was not imported.' }),
  }),
});

const ImportPayload = builder
  .objectRef<{
    created: number;
    unchanged: number;
    skipped: number;
    conflicts: { key: string; reason: string }[];
  }>('ImportRipeObjectsPayload')
  .implement({
    description: 'What the import did.',
    fields: (t) => ({
      created: t.exposeInt('created', { description: 'Assignments created (active, registered).' }),
      unchanged: t.exposeInt('unchanged', { description: 'Objects Guichet already held as they are.' }),
      skipped: t.exposeInt('skipped', {
        description: 'Objects that are not address registrations (route…).',
      }),
      conflictCount: t.int({ description: 'Objects not imported.', resolve: (p) => p.conflicts.length }),
      conflicts: t.field({
        type: [ImportConflictRef],
        description: 'Objects not imported, with the reason.',
        resolve: (p) => p.conflicts,
      }),
    }),
  });

const ImportInput = builder.inputType('ImportRipeObjectsInput', {
  description: 'RPSL text (RIPE split-file format) to import into a pool.',
  fields: (t) => ({
    poolId: t.id({ description: 'The pool the objects lie in.' }),
    text: t.string({ description: 'The objects, blank-line separated.' }),
    institutionId: t.id({
      required: false,
      description: 'The institution the new assignments belong to; without it nothing is created.',
    }),
  }),
});

builder.mutationField('importRipeObjects', (t) =>
  t.field({
    type: ImportPayload,
    description:
      'Imports existing RIPE registrations as active assignments (NOC); idempotent, conflicts reported and not written.',
    authScopes: { $all: { write: true, staffRole: 'noc' } },
    errors: { types: [ValidationError, NotFoundError, ConflictError, PolicyRefusalError, UnavailableError] },
    args: { input: t.arg({ type: ImportInput, description: 'The text and where it goes.' }) },
    resolve: (_r, { input }, { database, ctx }) =>
      importRpsl(database, ctx, {
        poolId: String(input.poolId),
        text: input.text,
        institutionId: input.institutionId ? String(input.institutionId) : undefined,
      }),
  }),
);
