import { readdirSync } from 'node:fs';
import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { getNamedType, isEnumType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Case } from './authz/cases.js';
import { type Cast, makeCast, type Role } from './authz/fixtures.js';
import { makeTarget, rootFields, type Target, withValue } from './fuzz/plan.js';
import { hostileFor } from './fuzz/values.js';
import { buildSchema } from './schema.js';
import { testApp } from './test-app.js';

/**
 * The schema-wide fuzz test (issue #19): every root field, every scalar position of its
 * arguments (at any depth of its inputs), a fixed set of hostile values — as a caller who may
 * call the field, on real objects (the demo seed and the authorisation matrix's fixtures give
 * the baseline call; a field without a matrix case gets plausible samples). Fails on any
 * INTERNAL error, any 5xx, any crash logged. A new field of any line is covered by reading the
 * schema. Prints how many answers fell in each outcome class.
 */

// The roles tried first: the widest staff role, then a contact (for the fields only they file).
const PREFERENCE: Role[] = [
  'admin',
  'noc',
  'desk',
  'technical',
  'head',
  'security',
  'service',
  'eduroam',
  'federation',
  'administrative',
  'anonymous',
];
const CONCURRENCY = 4;

// The authorisation matrix's cases (every `*cases.ts` of authz/, as the matrix picks them up):
// a call that reaches real objects, for each root field, by a role allowed to make it.
async function matrixCases(): Promise<Record<string, Case>> {
  const dir = new URL('./authz/', import.meta.url);
  const all: Record<string, Case> = {};
  for (const file of readdirSync(dir).filter((f) => /cases\.ts$/.test(f))) {
    const mod = (await import(new URL(file, dir).href)) as Record<string, unknown>;
    for (const exported of Object.values(mod)) {
      if (!exported || typeof exported !== 'object') continue;
      for (const [name, c] of Object.entries(exported)) {
        if (c && typeof c === 'object' && 'call' in c && 'expect' in c) all[name] = c as Case;
      }
    }
  }
  return all;
}

interface Outcome {
  target: string;
  path: string;
  value: string;
  status: number;
  cls: string;
  detail: string;
}

describe('fuzz: hostile values in every scalar position of every root field', () => {
  let database: Database;
  let t: Awaited<ReturnType<typeof testApp>>;
  let cast: Cast;
  beforeAll(async () => {
    database = await freshDatabase();
    cast = await makeCast(database);
    t = await testApp(database, {
      RATE_LIMIT_PER_MINUTE: '1000000',
      // The fuzz selects every leaf two levels down; the cost limit is tested elsewhere.
      GRAPHQL_MAX_COST: '1000000',
      GRAPHQL_MAX_TOKENS: '100000',
      BODY_LIMIT_BYTES: String(4 * 1024 * 1024),
    });
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });

  it('answers every one without INTERNAL, 5xx or a crash', async () => {
    const started = performance.now();
    const schema = await buildSchema();
    const cases = await matrixCases();
    const roots = rootFields(schema);
    const targets: { target: Target; role: Role }[] = [];
    for (const root of roots) {
      const c = cases[root.name];
      const role = c ? PREFERENCE.find((r) => c.expect(r) === 'allow') : 'admin';
      const example = c && role ? await c.call(cast, role) : undefined;
      targets.push({ target: makeTarget(root, example), role: role ?? 'admin' });
    }

    const outcomes: Outcome[] = [];
    const queue = [...targets];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { target, role } = next;
        const token = cast.tokens[role];
        const tries: { path: string; value: unknown; variables: Record<string, unknown> }[] = [
          { path: '(baseline)', value: '', variables: target.baseline },
        ];
        for (const p of target.positions) {
          const named = getNamedType(p.type);
          for (const value of hostileFor(named.name, isEnumType(named))) {
            tries.push({
              path: p.path.join('.'),
              value,
              variables: withValue(target.field.args, target.baseline, p.path, value),
            });
          }
        }
        for (const attempt of tries) {
          const res = await t.gql(target.document, attempt.variables, token);
          outcomes.push({
            target: target.name,
            path: attempt.path,
            value: JSON.stringify(attempt.value)?.slice(0, 40) ?? 'undefined',
            status: res.status,
            ...classify(res.status, res.body),
          });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    const classes = new Map<string, number>();
    for (const o of outcomes) classes.set(o.cls, (classes.get(o.cls) ?? 0) + 1);
    const positions = targets.reduce((n, x) => n + x.target.positions.length, 0);
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    const baselines = outcomes.filter((o) => o.path === '(baseline)');
    const reached = baselines.filter((o) => o.cls.startsWith('data') || o.cls.startsWith('typed')).length;
    console.log(
      `fuzz (${database.engine}): ${targets.length} root fields, ${positions} scalar positions, ${outcomes.length} requests in ${seconds} s; ` +
        `baseline calls past authorisation: ${reached}/${baselines.length}\n` +
        [...classes.entries()]
          .sort((a, b) => b[1] - a[1])
          .map(([c, n]) => `  ${String(n).padStart(6)}  ${c}`)
          .join('\n'),
    );
    const bad = outcomes.filter((o) => o.cls === 'INTERNAL' || o.status >= 500);
    expect(
      bad.slice(0, 25).map((o) => `${o.target} ${o.path}=${o.value}: ${o.status} ${o.detail}`),
      `${bad.length} answers were INTERNAL or 5xx`,
    ).toEqual([]);
    expect(t.crashes().slice(0, 5)).toEqual([]);
    // Every root field was covered, and reached past authorisation by its baseline call.
    expect(targets.length).toBe(roots.length);
    const denied = outcomes.filter(
      (o) => o.path === '(baseline)' && /FORBIDDEN|UNAUTHENTICATED|HTTP 401/.test(o.cls),
    );
    expect(denied.map((o) => `${o.target}: ${o.detail}`)).toEqual([]);
  }, 900_000);
});

// biome-ignore lint/suspicious/noExplicitAny: GraphQL JSON
function classify(status: number, body: any): { cls: string; detail: string } {
  const detail = JSON.stringify(body)?.slice(0, 200) ?? '';
  if (status >= 500) return { cls: `HTTP ${status}`, detail };
  const errors: { extensions?: { code?: string } }[] = body?.errors ?? [];
  const codes = [...new Set(errors.map((e) => e.extensions?.code ?? 'NO_CODE'))];
  if (codes.includes('INTERNAL')) return { cls: 'INTERNAL', detail };
  if (codes.length)
    return { cls: `error ${codes.join('+')}${status === 200 ? '' : ` (HTTP ${status})`}`, detail };
  if (status !== 200) return { cls: `HTTP ${status}`, detail };
  const r = body?.data?.r;
  if (r && typeof r === 'object' && typeof r.__typename === 'string' && /Error$/.test(r.__typename)) {
    return { cls: `typed ${r.code ?? r.__typename}`, detail };
  }
  return { cls: r === null ? 'data: null' : 'data', detail };
}
