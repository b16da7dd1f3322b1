import { recordChange } from '@guichet/audit';
import {
  actorLabel,
  canWrite,
  ForbiddenError,
  hasStaffRole,
  isUuid,
  NotFoundError,
  PolicyRefusalError,
  type RequestContext,
  type TokenScope,
} from '@guichet/core';
import { and, type Database, eq, gt, isNull } from '@guichet/db';
import { contactActor, contacts } from '@guichet/membership';
import { authTokens } from './tables.js';
import { type IssuedToken, insertToken, publicView, tokenTerms } from './tokens.js';

/** A first token gets the contact started; they make their own after (createToken). */
const DEFAULT_TTL_DAYS = 30;
const MAX_TTL_DAYS = 90;

export interface IssueContactTokenInput {
  contactId: string;
  name: string;
  scope: TokenScope;
  expiresAt?: Date | null;
}

/**
 * The agreement desk (admin stands in) issues a contact's **first** token, for a contact who
 * has no federated login yet: the secret is returned once, the change log records who issued
 * it for whom. Refused (`contact-has-token`) while the contact holds a working API token of
 * their own — from then on they make their own with `createToken`, and a lost one is revoked
 * first. The contact row is locked first, so two desks issuing at once give one token.
 */
export async function issueContactToken(
  database: Database,
  ctx: RequestContext,
  input: IssueContactTokenInput,
): Promise<IssuedToken> {
  const { actor } = ctx;
  if (!hasStaffRole(actor, 'desk') || !canWrite(actor)) {
    throw new ForbiddenError('Only the agreement desk issues a contact’s first token');
  }
  const now = ctx.clock.now();
  const { name, expiresAt } = tokenTerms(input, now, {
    defaultDays: DEFAULT_TTL_DAYS,
    maxDays: MAX_TTL_DAYS,
  });
  return database.db.transaction(async (tx) => {
    if (!isUuid(input.contactId)) throw new NotFoundError('Contact', input.contactId);
    await tx.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, input.contactId)).for('update');
    // A removed contact, or one of a closed institution, gets no token.
    const contact = await contactActor(tx, input.contactId, { method: 'token', scope: input.scope });
    if (contact?.kind !== 'contact') throw new NotFoundError('Contact', input.contactId);
    const [live] = await tx
      .select({ id: authTokens.id })
      .from(authTokens)
      .where(
        and(
          eq(authTokens.principalKind, 'contact'),
          eq(authTokens.principalId, contact.id),
          eq(authTokens.kind, 'api'),
          isNull(authTokens.revokedAt),
          gt(authTokens.expiresAt, now),
        ),
      )
      .limit(1);
    if (live) {
      throw new PolicyRefusalError(
        'contact-has-token',
        `${contact.displayName} already holds a working token (${live.id}): they create more themselves with createToken; revoke it first to issue a new first token`,
      );
    }
    const issued = await insertToken(tx, {
      name,
      kind: 'api',
      scope: input.scope,
      principalKind: 'contact',
      principalId: contact.id,
      scriptRoles: [],
      createdBy: actorLabel(actor),
      createdAt: now,
      expiresAt,
    });
    await recordChange(tx, ctx, {
      action: 'auth.issueContactToken',
      objectType: 'ApiToken',
      objectId: issued.token.id,
      institutionId: contact.institutionId,
      after: publicView(issued.token),
    });
    return issued;
  });
}
