import {
  ConflictError,
  DomainError,
  NotFoundError,
  PolicyRefusalError,
  ValidationError,
} from '@guichet/core';

/** PostgreSQL SQLSTATE codes this code base reacts to. */
export const PG = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  exclusionViolation: '23P01',
  serializationFailure: '40001',
  deadlock: '40P01',
} as const;

export interface PgErrorInfo {
  code: string;
  constraint?: string;
  detail?: string;
}

/**
 * drizzle wraps driver errors (the SQLSTATE sits in `cause`); PGlite and postgres.js name the
 * constraint differently (`constraint` vs `constraint_name`). One reader for both.
 */
export function pgError(e: unknown): PgErrorInfo | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const o = cur as Record<string, unknown>;
    if (typeof o.code === 'string' && /^[0-9A-Z]{5}$/.test(o.code)) {
      return {
        code: o.code,
        constraint: (o.constraint ?? o.constraint_name) as string | undefined,
        detail: o.detail as string | undefined,
      };
    }
  }
  return undefined;
}

/** How a caller names its constraints for people (all optional). */
export interface PgErrorMap {
  /** Unique or exclusion constraint name → what the conflict means ("a pool with this name exists"). */
  conflicts?: Record<string, string>;
  /** CHECK or foreign-key constraint name → the input field it concerns. */
  fields?: Record<string, { path: (string | number)[]; message: string }>;
  /** CHECK constraint name → the policy rule it holds (a PolicyRefusalError naming it). */
  rules?: Record<string, { rule: string; message: string }>;
  /** Foreign-key constraint name → the entity it points at (a NotFoundError). */
  missing?: Record<string, string>;
}

/**
 * The one translation of PostgreSQL's refusals into typed errors, for every package and line:
 * a unique or exclusion violation is a ConflictError, a foreign key a NotFoundError (or the
 * field named in the map), a CHECK a ValidationError (or the policy rule named in the map).
 * Anything that is not a constraint violation is returned as it was (a bug, masked upstream).
 */
export function translatePgError(e: unknown, map: PgErrorMap = {}): unknown {
  if (e instanceof DomainError) return e;
  const pg = pgError(e);
  if (!pg) return e;
  const c = pg.constraint ?? '';
  switch (pg.code) {
    case PG.uniqueViolation:
    case PG.exclusionViolation:
      return new ConflictError(
        map.conflicts?.[c] ?? `this would duplicate or overlap an existing record (${c || pg.code})`,
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

/** `await withPgErrors(work, map)`: the same result, with constraint violations translated. */
export async function withPgErrors<T>(
  work: Promise<T> | (() => Promise<T>),
  map: PgErrorMap = {},
): Promise<T> {
  try {
    return await (typeof work === 'function' ? work() : work);
  } catch (e) {
    throw translatePgError(e, map);
  }
}
