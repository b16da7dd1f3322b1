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
