import { NotFoundError, ValidationError } from '@guichet/core';
import { getNamedType, graphql, isInputObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { builder } from './index.js';
import { DEFAULT_MAX_LENGTH, truncateEcho } from './text.js';

// A few throwaway fields shaped like the real ones: a nullable lookup by id, a list filter,
// a mutation with an input object and a typed-error union.
const seen: unknown[] = [];
const KNOWN = '3f1c2a9e-8b7d-4c6e-9a5f-1b2c3d4e5f60';
builder.queryField('thing', (t) =>
  t.string({
    nullable: true,
    description: 'Test only.',
    args: { id: t.arg.id({ required: true, description: 'Id.' }) },
    resolve: (_r, { id }) => {
      seen.push(id);
      return id === KNOWN ? 'found' : null;
    },
  }),
);
builder.queryField('things', (t) =>
  t.stringList({
    description: 'Test only.',
    args: {
      ids: t.arg.idList({ required: false, description: 'Ids.' }),
      search: t.arg.string({ required: false, description: 'Text.' }),
    },
    resolve: (_r, { ids }) => (ids ?? []).filter((i) => i === KNOWN),
  }),
);
const NoteInput = builder.inputType('NoteInput', {
  description: 'Test only.',
  fields: (f) => ({
    objectId: f.id({ description: 'The object.' }),
    title: f.string({ description: 'A title.' }),
    body: f.string({ description: 'The text.', maxLength: 5000, required: false }),
    tags: f.stringList({ required: false, description: 'Tags.' }),
  }),
});
builder.mutationField('addNote', (t) =>
  t.field({
    type: builder.simpleObject('AddNotePayload', {
      description: 'Test only.',
      fields: (f) => ({ title: f.string({ description: 'Title.' }) }),
    }),
    description: 'Test only.',
    errors: { types: [ValidationError, NotFoundError] },
    args: { input: t.arg({ type: NoteInput, required: true, description: 'The note.' }) },
    resolve: (_r, { input }) => {
      seen.push(input);
      if (input.objectId !== KNOWN) throw new NotFoundError('Object', input.objectId);
      return { title: input.title };
    },
  }),
);
const schema = builder.toSchema();

const run = (source: string, variableValues?: Record<string, unknown>) =>
  graphql({ schema, source, variableValues });
const addNote = `mutation($input: NoteInput!) { addNote(input: $input) {
  __typename ... on AddNotePayload { title } ... on ValidationError { message issues { path message } }
  ... on NotFoundError { message id } } }`;

describe('input guard: text', () => {
  it.each([
    ['a NUL', 'a\u0000b', /U\+0000/],
    ['a bell', 'ding\u0007', /U\+0007/],
    ['a C1 control', 'x\u0085y', /U\+0085/],
    ['a lone high surrogate', 'a\ud800b', /unpaired/],
    ['a lone low surrogate', '\udc00', /unpaired/],
    ['too many characters', 'x'.repeat(DEFAULT_MAX_LENGTH + 1), /longer than 256/],
  ])(
    'refuses %s in a String of an input, as a typed ValidationError with its path',
    async (_, title, why) => {
      seen.length = 0;
      const res = await run(addNote, { input: { objectId: KNOWN, title } });
      expect(res.errors).toBeUndefined();
      const r = res.data?.addNote as { __typename: string; issues: { path: string[]; message: string }[] };
      expect(r.__typename).toBe('ValidationError');
      expect(r.issues[0]!.path).toEqual(['input', 'title']);
      expect(r.issues[0]!.message).toMatch(why);
      expect(seen, 'the resolver never ran').toEqual([]);
    },
  );

  it('accepts tabs, newlines, accents and emoji, and counts characters, not UTF-16 units', async () => {
    const emoji = '😀'.repeat(DEFAULT_MAX_LENGTH); // 512 UTF-16 units, 256 characters
    for (const title of ['a\tb\r\nc', 'Université Paris-Saclay — Île-de-France', emoji]) {
      const res = await run(addNote, { input: { objectId: KNOWN, title } });
      expect(res.data?.addNote).toEqual({ __typename: 'AddNotePayload', title });
    }
  });

  it('honours a field’s own larger limit and checks list items and arguments too', async () => {
    const ok = await run(addNote, { input: { objectId: KNOWN, title: 't', body: 'x'.repeat(5000) } });
    expect(ok.data?.addNote).toMatchObject({ __typename: 'AddNotePayload' });
    const long = await run(addNote, { input: { objectId: KNOWN, title: 't', body: 'x'.repeat(5001) } });
    expect(long.data?.addNote).toMatchObject({ issues: [{ path: ['input', 'body'] }] });
    const tag = await run(addNote, { input: { objectId: KNOWN, title: 't', tags: ['ok', 'bad\u0000'] } });
    expect(tag.data?.addNote).toMatchObject({ issues: [{ path: ['input', 'tags', '1'] }] });
    // A field without an error union gets the refusal as a GraphQL error with the same class.
    const arg = await run('query($s: String) { things(search: $s) }', { s: '\u0000' });
    expect(arg.errors?.[0]?.originalError).toBeInstanceOf(ValidationError);
    expect(arg.errors?.[0]?.message).toMatch(/^search: .*U\+0000/);
  });

  it('states every String input’s limit in its description', () => {
    const note = schema.getType('NoteInput');
    if (!isInputObjectType(note)) throw new Error('NoteInput missing');
    expect(note.getFields().title!.description).toBe('A title. At most 256 characters.');
    expect(note.getFields().body!.description).toBe('The text. At most 5,000 characters.');
    const search = schema
      .getQueryType()!
      .getFields()
      .things!.args.find((a) => a.name === 'search')!;
    expect(search.description).toBe('Text. At most 256 characters.');
    // Every String input of the whole schema says it.
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isInputObjectType(type)) continue;
      for (const f of Object.values(type.getFields())) {
        if (getNamedType(f.type).name === 'String')
          expect(f.description).toMatch(/At most [\d,]+ characters\.$/);
      }
    }
  });
});

describe('input guard: ids', () => {
  it('reads an id that is not a UUID as one that matches nothing, wherever it is', async () => {
    seen.length = 0;
    const one = await run('{ thing(id: "not-a-uuid") }');
    expect(one).toEqual({ data: { thing: null } });
    expect(seen[0]).toMatch(/^00000000-0000-0000-0000-/);
    const list = await run('query($ids: [ID!]) { things(ids: $ids) }', { ids: ['x', KNOWN, "'; DROP"] });
    expect(list).toEqual({ data: { things: [KNOWN] } });
  });

  it('names the id the client sent in the NotFoundError, shortened', async () => {
    const res = await run(addNote, { input: { objectId: 'x'.repeat(300), title: 't' } });
    const r = res.data?.addNote as { __typename: string; id: string };
    expect(r.__typename).toBe('NotFoundError');
    expect(r.id).toBe(`${'x'.repeat(64)}… (300 characters)`);
  });

  it('lower-cases a UUID so that ids compare as the database stores them', async () => {
    expect(await run(`{ thing(id: "${KNOWN.toUpperCase()}") }`)).toEqual({ data: { thing: 'found' } });
  });
});

describe('truncateEcho', () => {
  it('cuts long quoted values and bounds the message', () => {
    const m = truncateEcho(`Variable "$v" got invalid value "${'a'.repeat(100_000)}"; Expected type "Int".`);
    expect(m).toBe(
      `Variable "$v" got invalid value "${'a'.repeat(64)}…" (100000 characters); Expected type "Int".`,
    );
    expect(truncateEcho('x'.repeat(5000)).length).toBeLessThanOrEqual(1001);
    expect(truncateEcho('short "value"')).toBe('short "value"');
  });
});
