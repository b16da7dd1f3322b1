import { spawn } from 'node:child_process';
import {
  ConflictError,
  type FieldIssue,
  NotFoundError,
  PolicyRefusalError,
  ValidationError,
} from '@guichet/core';
import { PG, pgError } from '@guichet/db';
import type { z } from 'zod';

/**
 * Stand-ins for the shared helpers the line contract brings (`parseInput` and
 * `translatePgError` in core/db, `runTool` in core), with the same shapes, until the contract
 * is merged; this file goes then.
 */

export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: (string | number)[] = ['input'],
): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues: FieldIssue[] = r.error.issues.map((i) => ({
    path: [...prefix, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    message: i.message,
  }));
  const [first] = issues;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new ValidationError(
    `${first?.path.join('.') ?? 'input'}: ${first?.message ?? 'invalid'}${more}`,
    issues,
  );
}

export interface PgErrorMap {
  conflicts?: Record<string, string>;
  fields?: Record<string, { path: (string | number)[]; message: string }>;
  rules?: Record<string, { rule: string; message: string }>;
  missing?: Record<string, string>;
}

export function translatePgError(e: unknown, map: PgErrorMap = {}): unknown {
  const pg = pgError(e);
  if (!pg) return e;
  const c = pg.constraint ?? '';
  switch (pg.code) {
    case PG.uniqueViolation:
    case PG.exclusionViolation:
      return new ConflictError(
        map.conflicts?.[c] ?? `this would duplicate an existing record (${c || pg.code})`,
      );
    case PG.foreignKeyViolation: {
      const field = map.fields?.[c];
      if (field) return ValidationError.field(field.path, field.message);
      const id = /\(([^)]*)\)=\(([^)]*)\)/.exec(pg.detail ?? '')?.[2] ?? '';
      return new NotFoundError(map.missing?.[c] ?? 'Object', id);
    }
    case PG.checkViolation: {
      const field = map.fields?.[c];
      if (field) return ValidationError.field(field.path, field.message);
      const rule = map.rules?.[c];
      if (rule) return new PolicyRefusalError(rule.rule, rule.message);
      return ValidationError.field(['input'], `refused by the rule ${c || 'of the database'}`);
    }
    default:
      return e;
  }
}

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runTool(
  cmd: string,
  args: readonly string[],
  opts: { timeoutMs?: number } = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${e.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
