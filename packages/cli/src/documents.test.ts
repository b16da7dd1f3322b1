import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as documents from './documents.js';

/**
 * Every document the command sends is valid against the checked-in schema (schema.graphql, the
 * printed public API): a field renamed on the server fails here, not in a user's script.
 */
const schema = buildSchema(readFileSync(join(import.meta.dirname, '../../../schema.graphql'), 'utf8'));

describe('the CLI’s GraphQL documents', () => {
  for (const [name, text] of Object.entries(documents)) {
    if (typeof text !== 'string') continue;
    it(`${name} validates against schema.graphql`, () => {
      expect(validate(schema, parse(text)).map((e) => e.message)).toEqual([]);
    });
  }
});
