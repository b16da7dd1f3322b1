import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../schema.js';
import { testApp } from '../test-app.js';
import { CASES, type Case, type Outcome, WORKFLOW_CASES } from './cases.js';
import { type Cast, makeCast, ROLES, type Role } from './fixtures.js';

/**
 * The authorisation matrix: every root query and mutation, called by every role, must be
 * allowed, denied or hidden exactly as its rule says. A root field without a rule fails the
 * first test, so nothing new ships unreviewed.
 */
// Every `<line>-cases.ts` file of this folder is picked up: a new line adds its file, nothing here.
const here = dirname(fileURLToPath(import.meta.url));
const LINE_CASES: Record<string, Record<string, Case>>[] = await Promise.all(
  readdirSync(here)
    .filter((f) => f.endsWith('-cases.ts'))
    .map((f) => import(join(here, f))),
);
const ALL: Record<string, Case> = {
  ...CASES,
  ...WORKFLOW_CASES,
  ...Object.assign({}, ...LINE_CASES.flatMap((m) => Object.values(m))),
};

const schema = await buildSchema();

describe('authorisation matrix', () => {
  const rootFields = [schema.getQueryType(), schema.getMutationType()]
    .filter(isObjectType)
    .flatMap((t) => Object.keys(t.getFields()).map((f) => `${t.name}.${f}`));

  it('has a rule for every root field, and none for a field that no longer exists', () => {
    expect(
      rootFields.filter((f) => !(f in ALL)),
      'fields without a rule',
    ).toEqual([]);
    expect(
      Object.keys(ALL).filter((f) => !rootFields.includes(f)),
      'rules without a field',
    ).toEqual([]);
  });

  let database: Database;
  let t: Awaited<ReturnType<typeof testApp>>;
  let cast: Cast;
  beforeAll(async () => {
    database = await freshDatabase();
    cast = await makeCast(database);
    t = await testApp(database);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });

  async function outcome(field: string, role: Role): Promise<{ got: Outcome; detail: string }> {
    const call = await ALL[field]!.call(cast, role);
    const res = await t.gql(call.query, call.variables, cast.tokens[role]);
    const errors: { message: string; extensions?: { code?: string } }[] = res.body.errors ?? [];
    const detail = JSON.stringify(res.body).slice(0, 300);
    if (
      res.status === 401 ||
      errors.some((e) => ['FORBIDDEN', 'UNAUTHENTICATED'].includes(e.extensions?.code ?? ''))
    ) {
      return { got: 'deny', detail };
    }
    if (errors.length) return { got: 'allow', detail: `unexpected errors: ${detail}` };
    let r = res.body.data?.r;
    if (ALL[field]!.item) {
      r = r?.results?.[0];
      if (r?.__typename === 'ForbiddenError') return { got: 'deny', detail };
    }
    if (r === null || r?.__typename === 'NotFoundError') return { got: 'hidden', detail };
    return { got: 'allow', detail };
  }

  it('gives every role exactly what its rule says, on every root field', async () => {
    const wrong: string[] = [];
    for (const field of Object.keys(ALL)) {
      for (const role of ROLES) {
        const want = ALL[field]!.expect(role);
        const { got, detail } = await outcome(field, role);
        if (got !== want || detail.startsWith('unexpected'))
          wrong.push(`${field} as ${role}: want ${want}, got ${got} ${detail}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(t.crashes()).toEqual([]);
  }, 300_000);
});
