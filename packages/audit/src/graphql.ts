import { ValidationError } from '@guichet/core';
import { builder, type ConnectionArgs, keysetConnection } from '@guichet/graphql';
import {
  addJournalEntry,
  type ChangeRow,
  JOURNAL_KINDS,
  type JournalRow,
  listChanges,
  listJournal,
} from './service.js';

const JSONish = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

export const ChangeLogEntry = builder.objectRef<ChangeRow>('ChangeLogEntry').implement({
  description: 'One write to Guichet: who, when, under which HTTP request, and the object before and after.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Sequence number (increasing with time).' }),
    at: t.expose('at', { type: 'DateTime', description: 'When.' }),
    actor: t.exposeString('actor', {
      description: 'Who: `staff:<username>`, `contact:<id>`, `script:<name>`, `system:<job>`.',
    }),
    requestId: t.exposeString('requestId', {
      description: 'The x-request-id of the HTTP request (or job) that wrote it.',
    }),
    action: t.exposeString('action', { description: 'What was done, e.g. `membership.createInstitution`.' }),
    objectType: t.exposeString('objectType', { description: 'Kind of object changed.' }),
    objectId: t.exposeString('objectId', { description: 'Identifier of the object changed.' }),
    before: t.string({
      nullable: true,
      description: 'The object before, as JSON (null on creation).',
      resolve: (r) => JSONish(r.before),
    }),
    after: t.string({
      nullable: true,
      description: 'The object after, as JSON (null on deletion).',
      resolve: (r) => JSONish(r.after),
    }),
  }),
});

const JournalKindEnum = builder.enumType('JournalKind', {
  description: 'How a journal entry is flagged.',
  values: Object.fromEntries(
    JOURNAL_KINDS.map((k) => [k.toUpperCase(), { value: k, description: `A ${k} note.` }]),
  ) as Record<
    'INFO' | 'SUCCESS' | 'WARNING' | 'DANGER',
    { value: (typeof JOURNAL_KINDS)[number]; description: string }
  >,
});

export const JournalEntry = builder.objectRef<JournalRow>('JournalEntry').implement({
  description: 'A note operator staff attached to an object.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Sequence number.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When.' }),
    actor: t.exposeString('actor', { description: 'Who wrote it.' }),
    objectType: t.exposeString('objectType', { description: 'Kind of object it is about.' }),
    objectId: t.exposeString('objectId', { description: 'Identifier of the object it is about.' }),
    kind: t.field({ type: JournalKindEnum, description: 'Flag.', resolve: (r) => r.kind as 'info' }),
    body: t.exposeString('body', { description: 'The note.' }),
  }),
});

/** Keyset pagination over the change log (ids are the cursors; newest first). */
export function changeConnection(
  args: ConnectionArgs,
  load: (before: number | undefined, limit: number) => Promise<ChangeRow[]>,
) {
  return keysetConnection<ChangeRow>(
    args,
    (r) => String(r.id),
    (after, limit) => {
      if (after !== undefined && !/^\d+$/.test(after))
        throw ValidationError.field(['after'], 'not a cursor of this list');
      return load(after === undefined ? undefined : Number(after), limit);
    },
  );
}

builder.queryField('changes', (t) =>
  t.connection({
    type: ChangeLogEntry,
    description: 'The change log, newest first, filtered (staff only).',
    authScopes: { staff: true },
    args: {
      objectType: t.arg.string({ required: false, description: 'Only changes to this kind of object.' }),
      objectId: t.arg.string({ required: false, description: 'Only changes to this object.' }),
      institutionId: t.arg.id({
        required: false,
        description: 'Only changes to objects of this institution.',
      }),
      requestId: t.arg.string({ required: false, description: 'Only changes made by this HTTP request.' }),
    },
    resolve: (_r, args, { database }) =>
      changeConnection(args, (before, limit) =>
        listChanges(database.db, {
          ...(args.objectType ? { objectType: args.objectType } : {}),
          ...(args.objectId ? { objectId: args.objectId } : {}),
          ...(args.institutionId ? { institutionId: String(args.institutionId) } : {}),
          ...(args.requestId ? { requestId: args.requestId } : {}),
          ...(before !== undefined ? { before } : {}),
          limit,
        }),
      ),
  }),
);

builder.queryField('journal', (t) =>
  t.field({
    type: [JournalEntry],
    description: 'Journal entries on one object, newest first (staff only).',
    authScopes: { staff: true },
    args: {
      objectType: t.arg.string({ required: true, description: 'Kind of object.' }),
      objectId: t.arg.string({ required: true, description: 'Identifier of the object.' }),
    },
    resolve: (_r, a, { database }) => listJournal(database.db, a.objectType, a.objectId),
  }),
);

const AddJournalEntryPayload = builder.simpleObject('AddJournalEntryPayload', {
  description: 'The new journal entry.',
  fields: (t) => ({ entry: t.field({ type: JournalEntry, description: 'The entry.' }) }),
});

builder.mutationField('addJournalEntry', (t) =>
  t.field({
    type: AddJournalEntryPayload,
    description: 'Attaches a note to any object (operator staff).',
    authScopes: { $all: { write: true, staff: true } },
    errors: { types: [ValidationError] },
    args: {
      input: t.arg({
        required: true,
        description: 'The note.',
        type: builder.inputType('AddJournalEntryInput', {
          description: 'A journal entry.',
          fields: (f) => ({
            objectType: f.string({ description: 'Kind of object, e.g. `Institution`.' }),
            objectId: f.string({ description: 'Identifier of the object.' }),
            kind: f.field({ type: JournalKindEnum, required: false, description: 'Flag (default INFO).' }),
            body: f.string({ description: 'The note.', maxLength: 10_000 }),
          }),
        }),
      }),
    },
    resolve: async (_r, { input }, { database, ctx }) => ({
      entry: await addJournalEntry(database.db, ctx, { ...input, kind: input.kind ?? 'info' }),
    }),
  }),
);
