import {
  NotFoundError,
  PolicyRefusalError,
  STAFF_ROLES,
  type StaffRole,
  UnavailableError,
  ValidationError,
} from '@guichet/core';
import { builder, ErrorInterface } from '@guichet/graphql';
import { issueContactToken } from './contact-tokens.js';
import { InvalidCredentialsError } from './ldap.js';
import { loginStaff } from './staff.js';
import { createApiToken, listTokens, revokeToken, type TokenRow } from './tokens.js';

export const StaffRoleEnum = builder.enumType('StaffRole', {
  description: 'Operator staff roles.',
  values: {
    NOC: { value: 'noc', description: 'Network operations centre: technical validation and execution.' },
    DESK: {
      value: 'desk',
      description: 'Agreement desk: institutions, contacts, administrative validation.',
    },
    ADMIN: { value: 'admin', description: 'Administrator: every staff right.' },
  } as const,
});

const TokenScopeEnum = builder.enumType('TokenScope', {
  description: 'What a token may do.',
  values: {
    READ: { value: 'read', description: 'Queries only.' },
    WRITE: { value: 'write', description: 'Queries and mutations.' },
  } as const,
});

const ActorKindEnum = builder.enumType('ActorKind', {
  description: 'The kinds of caller.',
  values: {
    ANONYMOUS: { value: 'anonymous', description: 'No credentials.' },
    STAFF: { value: 'staff', description: 'Operator staff.' },
    SCRIPT: { value: 'script', description: 'A script acting with staff roles of its own.' },
    CONTACT: { value: 'contact', description: 'A contact of a member institution.' },
    SYSTEM: { value: 'system', description: 'Guichet itself (jobs).' },
  } as const,
});

builder.objectType(InvalidCredentialsError, {
  name: 'InvalidCredentialsError',
  description: 'The username or the password is wrong (Guichet does not say which).',
  interfaces: [ErrorInterface],
  fields: () => ({}),
});

export const ApiToken = builder.objectRef<TokenRow>('ApiToken').implement({
  description: 'A bearer token. Its secret is shown once, when it is created, and never again.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier (used to revoke it).' }),
    name: t.exposeString('name', { description: 'What it is for.' }),
    kind: t.exposeString('kind', { description: '`api` (created by a person) or `session` (from a login).' }),
    scope: t.field({
      type: TokenScopeEnum,
      description: 'Read-only or read-write.',
      resolve: (r) => r.scope as 'read',
    }),
    principal: t.string({
      description: 'Who acts with it: `staff:<id>`, `script:<id>` or `contact:<id>`.',
      resolve: (r) => `${r.principalKind}:${r.principalId}`,
    }),
    scriptRoles: t.field({
      type: [StaffRoleEnum],
      description: 'For a script token, the staff roles it holds.',
      resolve: (r) => r.scriptRoles as StaffRole[],
    }),
    createdBy: t.exposeString('createdBy', { description: 'Who created it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When it stops working.' }),
    revokedAt: t.expose('revokedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was revoked.',
    }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Last use, to within five minutes.',
    }),
  }),
});

const Viewer = builder.simpleObject('Viewer', {
  description: 'The caller, as Guichet sees them.',
  fields: (t) => ({
    kind: t.field({ type: ActorKindEnum, description: 'What kind of caller.' }),
    id: t.string({ nullable: true, description: 'Identifier of the person or script.' }),
    name: t.string({ nullable: true, description: 'Display name.' }),
    staffRoles: t.field({ type: [StaffRoleEnum], description: 'Staff roles held (empty for non-staff).' }),
    scope: t.field({ type: TokenScopeEnum, nullable: true, description: 'What the credential allows.' }),
    authMethod: t.string({ nullable: true, description: '`token`, `session` or `federation`.' }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: Viewer,
    description: 'Who you are: useful to check a token. Open to anonymous callers.',
    authScopes: { public: true },
    resolve: (_r, _a, { ctx: { actor } }) => {
      if (actor.kind === 'anonymous' || actor.kind === 'system') {
        return { kind: actor.kind, id: null, name: null, staffRoles: [], scope: null, authMethod: null };
      }
      return {
        kind: actor.kind,
        id: actor.id,
        name: actor.kind === 'script' ? actor.name : actor.displayName,
        staffRoles: actor.kind === 'contact' ? [] : actor.roles,
        scope: actor.credential.scope,
        authMethod: actor.credential.method,
      };
    },
  }),
);

builder.queryField('tokens', (t) =>
  t.field({
    type: [ApiToken],
    description: 'Your tokens and the script tokens you created (administrators: every token). Newest first.',
    authScopes: { authenticated: true },
    resolve: (_r, _a, { database, ctx }) => listTokens(database, ctx.actor),
  }),
);

const CreateTokenPayload = builder.simpleObject('CreateTokenPayload', {
  description: 'A new token and its secret.',
  fields: (t) => ({
    token: t.field({ type: ApiToken, description: 'The token.' }),
    secret: t.string({ description: 'Send as `Authorization: Bearer <secret>`. Shown only this once.' }),
  }),
});

builder.mutationField('createToken', (t) =>
  t.field({
    type: CreateTokenPayload,
    description:
      'Creates a token for yourself, or (staff) for a script holding some of your staff roles. The secret is returned once.',
    authScopes: { write: true },
    errors: { types: [ValidationError, PolicyRefusalError] },
    args: {
      input: t.arg({
        required: true,
        description: 'What to create.',
        type: builder.inputType('CreateTokenInput', {
          description: 'A new token.',
          fields: (f) => ({
            name: f.string({ description: 'What it is for (1–100 characters).' }),
            scope: f.field({ type: TokenScopeEnum, description: 'Read-only or read-write.' }),
            expiresAt: f.field({
              type: 'DateTime',
              required: false,
              description: 'When it stops working: at most two years ahead; default 90 days.',
            }),
            scriptRoles: f.field({
              type: [StaffRoleEnum],
              required: false,
              description: 'Staff only: create a script token holding these roles (a subset of yours).',
            }),
          }),
        }),
      }),
    },
    resolve: (_r, { input }, { database, ctx }) =>
      createApiToken(database, ctx, {
        name: input.name,
        scope: input.scope,
        expiresAt: input.expiresAt ?? null,
        script: input.scriptRoles?.length ? { roles: input.scriptRoles } : null,
      }),
  }),
);

const IssueContactTokenPayload = builder.simpleObject('IssueContactTokenPayload', {
  description: 'A contact’s first token and its secret, to hand over to them.',
  fields: (t) => ({
    token: t.field({ type: ApiToken, description: 'The token (principal `contact:<id>`).' }),
    secret: t.string({
      description:
        'Give it to the contact, who sends it as `Authorization: Bearer <secret>`. Shown only this once.',
    }),
  }),
});

builder.mutationField('issueContactToken', (t) =>
  t.field({
    type: IssueContactTokenPayload,
    description:
      'The agreement desk (admin stands in) issues a contact’s first token, for a contact without a federated login: the secret is returned once and the change log records who issued it. Refused while the contact holds a working token (`contact-has-token`): they then create their own with `createToken`.',
    authScopes: { $all: { write: true, staffRole: 'desk' } },
    errors: { types: [ValidationError, NotFoundError, PolicyRefusalError] },
    args: {
      input: t.arg({
        required: true,
        description: 'For whom, and what.',
        type: builder.inputType('IssueContactTokenInput', {
          description: 'A first token for a contact.',
          fields: (f) => ({
            contactId: f.id({ description: 'The contact.' }),
            name: f.string({ description: 'What it is for (1–100 characters).' }),
            scope: f.field({ type: TokenScopeEnum, description: 'Read-only or read-write.' }),
            expiresAt: f.field({
              type: 'DateTime',
              required: false,
              description: 'When it stops working: at most 90 days ahead; default 30 days.',
            }),
          }),
        }),
      }),
    },
    resolve: (_r, { input }, { database, ctx }) =>
      issueContactToken(database, ctx, {
        contactId: String(input.contactId),
        name: input.name,
        scope: input.scope,
        expiresAt: input.expiresAt ?? null,
      }),
  }),
);

const RevokeTokenPayload = builder.simpleObject('RevokeTokenPayload', {
  description: 'The revoked token.',
  fields: (t) => ({ token: t.field({ type: ApiToken, description: 'The token, now revoked.' }) }),
});

builder.mutationField('revokeToken', (t) =>
  t.field({
    type: RevokeTokenPayload,
    description: 'Revokes a token at once. Revoking a revoked token changes nothing.',
    authScopes: { write: true },
    errors: { types: [NotFoundError] },
    args: { id: t.arg.id({ required: true, description: 'The token to revoke.' }) },
    resolve: async (_r, { id }, { database, ctx }) => ({
      token: await revokeToken(database, ctx, String(id)),
    }),
  }),
);

const LoginPayload = builder.simpleObject('LoginPayload', {
  description: 'A staff session.',
  fields: (t) => ({
    token: t.string({ description: 'Send as `Authorization: Bearer <token>`.' }),
    expiresAt: t.field({ type: 'DateTime', description: 'When the session ends.' }),
    staffRoles: t.field({ type: [StaffRoleEnum], description: 'The roles the directory grants you.' }),
  }),
});

builder.mutationField('login', (t) =>
  t.field({
    type: LoginPayload,
    description: 'Staff login with the operator directory (LDAP) credentials; returns a session token.',
    authScopes: { public: true },
    errors: { types: [InvalidCredentialsError, PolicyRefusalError, UnavailableError] },
    args: {
      username: t.arg.string({ required: true, description: 'Directory username (uid).' }),
      password: t.arg.string({ required: true, description: 'Directory password.' }),
    },
    resolve: async (_r, { username, password }, { database, config, ctx, logger }) => {
      try {
        const { staff, session } = await loginStaff(
          database,
          config,
          username,
          password,
          ctx.clock.now(),
          ctx.requestId,
        );
        return {
          token: session.secret,
          expiresAt: session.token.expiresAt,
          staffRoles: staff.roles.filter((r): r is StaffRole =>
            (STAFF_ROLES as readonly string[]).includes(r),
          ),
        };
      } catch (e) {
        if (e instanceof UnavailableError)
          logger.warn({ err: (e as Error).cause, reqId: ctx.requestId }, e.message);
        throw e;
      }
    },
  }),
);
