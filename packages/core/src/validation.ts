import type { z } from 'zod';
import { type FieldIssue, ValidationError } from './errors.js';

/**
 * The one translation of zod issues into a ValidationError, used by every package and line:
 * each issue keeps its field path under `prefix` (`['input', …]`), and the message names the
 * first issue and how many follow.
 */

export type FieldPath = (string | number)[];

export function validationFromZod(error: z.ZodError, prefix: FieldPath = ['input']): ValidationError {
  const issues: FieldIssue[] = error.issues.map((i) => ({
    path: [...prefix, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    message: i.message,
  }));
  return validationFromIssues(issues, prefix);
}

/** A ValidationError for several issues: "first.path: message (and N more)". */
export function validationFromIssues(
  issues: FieldIssue[],
  fallbackPath: FieldPath = ['input'],
): ValidationError {
  const [first] = issues;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  const where = first ? first.path.join('.') : fallbackPath.join('.');
  return new ValidationError(`${where || 'input'}: ${first?.message ?? 'invalid'}${more}`, issues);
}

/** Parses with a schema, or throws the ValidationError (field paths under `prefix`). */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: FieldPath = ['input'],
): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw validationFromZod(r.error, prefix);
}

/** Re-roots the paths of a ValidationError thrown by `run` under `prefix` (a kind's validate). */
export async function withPathPrefix<T>(prefix: FieldPath, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return Promise.reject(
      validationFromIssues(
        e.issues.map((i) => ({ ...i, path: [...prefix, ...i.path] })),
        prefix,
      ),
    );
  }
}

/** Renames input fields whose names differ from the payload's (`input.x` reported as `input.y`). */
export function renameIssuePaths(e: unknown, names: Record<string, string>): unknown {
  if (!(e instanceof ValidationError)) return e;
  return validationFromIssues(
    e.issues.map((i) => ({
      ...i,
      path: i.path.map((p, k): string | number =>
        k === 1 && i.path[0] === 'input' && typeof p === 'string' ? (names[p] ?? p) : p,
      ),
    })),
  );
}
