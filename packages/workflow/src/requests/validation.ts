import { parseInput, ValidationError } from '@guichet/core';
import type { z } from 'zod';

export type Path = (string | number)[];

/** Parses with a schema, or throws one ValidationError whose issue paths start with `prefix`. */
export const parseWith = <S extends z.ZodType>(schema: S, value: unknown, prefix: Path): z.output<S> =>
  parseInput(schema, value, prefix);

/**
 * A kind's `validate` reports paths relative to the payload (`['securityContactId']`); the
 * caller knows where the payload sits in its input (`['input', 'payload']` or `['input']`).
 */
export async function withPrefix<T>(prefix: Path, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const issues = e.issues.map((i) => ({ ...i, path: [...prefix, ...i.path] }));
    const first = issues[0];
    throw new ValidationError(first ? `${first.path.join('.')}: ${first.message}` : e.message, issues);
  }
}
