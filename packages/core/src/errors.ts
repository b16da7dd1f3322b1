/**
 * The DomainError family. Every expected failure carries a stable `code` that clients can
 * switch on; GraphQL exposes these as typed members of result unions (see @guichet/graphql).
 * Unexpected failures are plain Errors and are masked by the API layer.
 */

export type ErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'POLICY_REFUSAL'
  | 'INVALID_TRANSITION'
  | 'UNAVAILABLE'
  | 'IDEMPOTENCY_CONFLICT'
  | 'IDEMPOTENCY_IN_PROGRESS';

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  override get name(): string {
    return this.constructor.name;
  }
}

/** One problem with one input field; `path` locates it (`['sites', 2, 'city']`). */
export interface FieldIssue {
  path: (string | number)[];
  message: string;
}

export class ValidationError extends DomainError {
  readonly code = 'VALIDATION' as const;
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }

  /** Single-field shorthand. */
  static field(path: (string | number)[], message: string): ValidationError {
    return new ValidationError(`${path.join('.') || 'input'}: ${message}`, [{ path, message }]);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND' as const;
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`);
  }
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT' as const;
}

/** The caller is known but may not do this. Thrown, never returned in a payload. */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN' as const;
  constructor(message = 'You are not allowed to do this') {
    super(message);
  }
}

/** The caller could not be identified (bad, expired or revoked credentials). */
export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED' as const;
  constructor(message = 'Authentication required') {
    super(message);
  }
}

/** A business rule says no (RIPE policy, agreement not signed…); `rule` names the rule. */
export class PolicyRefusalError extends DomainError {
  readonly code = 'POLICY_REFUSAL' as const;
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

export class InvalidTransitionError extends DomainError {
  readonly code = 'INVALID_TRANSITION' as const;
  constructor(
    readonly entity: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`${entity} cannot go from ${from} to ${to}`);
  }
}

/** A system we depend on (LDAP, a DNS server, a registry) did not answer. */
export class UnavailableError extends DomainError {
  readonly code = 'UNAVAILABLE' as const;
  constructor(
    readonly dependency: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An `Idempotency-Key` (or a bulk item's `idempotencyKey`) already used: with another input
 * (`IDEMPOTENCY_CONFLICT`: pick a new key), or by a call still running (`IDEMPOTENCY_IN_PROGRESS`:
 * retry later and get its answer).
 */
export class IdempotencyError extends DomainError {
  constructor(
    readonly code: 'IDEMPOTENCY_CONFLICT' | 'IDEMPOTENCY_IN_PROGRESS',
    readonly key: string,
  ) {
    super(
      code === 'IDEMPOTENCY_CONFLICT'
        ? `Idempotency key "${key}" was already used with another input`
        : `A call with idempotency key "${key}" is still running; retry in a moment`,
    );
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
