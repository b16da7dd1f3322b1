import { ConflictError, NotFoundError, PolicyRefusalError, UnavailableError } from '@guichet/core';
import type { EppResult } from './types.js';

/**
 * EPP result codes (RFC 5730 §3) as Guichet's typed errors. What the institution or the NOC can
 * act on becomes a DomainError (exists → ConflictError, missing → NotFoundError, prohibited or
 * policy → PolicyRefusalError naming the rule); what says the session is gone (2500–2502) is
 * `RegistrySessionClosed`, which the session layer answers by reconnecting and retrying; syntax
 * and parameter errors (2000–2005, 2100–2106) are Guichet's bugs and stay plain Errors.
 * Messages carry the registry's `<msg>` and `<reason>` texts only — never the `<value>` elements,
 * which may echo what was sent (an authInfo).
 */

export const SUCCESS = 1000;
export const PENDING = 1001;
export const NO_MESSAGES = 1300;
export const MESSAGE_WAITING = 1301;
export const ENDING_SESSION = 1500;

const describe = (r: EppResult) =>
  `${r.code} ${r.message}${r.details.length ? ` (${r.details.join('; ')})` : ''}`;

export class RegistryObjectExists extends ConflictError {
  constructor(readonly result: EppResult) {
    super(`the registry already holds this object: ${describe(result)}`);
  }
}

export class RegistryObjectMissing extends NotFoundError {
  constructor(
    readonly result: EppResult,
    what: string,
  ) {
    super('registry object', what);
    this.message = `the registry holds no ${what}: ${describe(result)}`;
  }
}

export class RegistryRefusal extends PolicyRefusalError {
  constructor(
    rule: string,
    readonly result: EppResult,
  ) {
    super(rule, `the registry refused: ${describe(result)}`);
  }
}

export class RegistryUnavailable extends UnavailableError {
  constructor(
    message: string,
    readonly result?: EppResult,
    /** The session is gone: reconnect, then the command may be sent again. */
    readonly sessionClosed = false,
  ) {
    super('registry', message);
  }
}

/** A 2xxx the client caused by sending something wrong: a bug to fix, not a user error. */
export class EppProtocolError extends Error {
  override name = 'EppProtocolError';
  constructor(readonly result: EppResult) {
    super(`EPP command error ${describe(result)}`);
  }
}

export const RULES: Record<number, string> = {
  2304: 'registry.status-prohibits',
  2305: 'registry.association-prohibits',
  2306: 'registry.policy',
  2308: 'registry.data-management',
};

/** The error for a result code ≥ 2000 (`what` names the object for 2303). */
export function errorFor(result: EppResult, what = 'such object'): Error {
  const { code } = result;
  if (code === 2302) return new RegistryObjectExists(result);
  if (code === 2303) return new RegistryObjectMissing(result, what);
  const rule = RULES[code];
  if (rule) return new RegistryRefusal(rule, result);
  if (code >= 2200 && code <= 2202) {
    // Never name the credentials: the message says only that they were refused.
    return new RegistryUnavailable(
      `the registry refused the login or authorisation (${code} ${result.message})`,
      result,
    );
  }
  if (code === 2400)
    return new RegistryUnavailable(`the registry failed the command: ${describe(result)}`, result);
  if (code >= 2500 && code <= 2502) {
    return new RegistryUnavailable(`the registry closed the session: ${describe(result)}`, result, true);
  }
  return new EppProtocolError(result);
}

export function isSessionClosed(e: unknown): boolean {
  return e instanceof RegistryUnavailable && e.sessionClosed;
}
