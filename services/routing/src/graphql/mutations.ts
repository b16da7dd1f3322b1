import { ConflictError, NotFoundError, PolicyRefusalError, ValidationError } from '@guichet/core';
import { builder } from '@guichet/graphql';
import { fileRequest, REQUEST_ERRORS, RequestRef } from '@guichet/workflow';
import { createCollector, createSession } from '../service/collectors.js';
import { ROUTING_CHANGE } from '../workflow.js';
import { CollectorRef, SessionRef } from './types.js';

/**
 * Filing (`requestRoutingChange`) goes through the request engine, which decides who may file
 * (a technical contact of the institution, or the desk). Collectors and sessions are the NOC's.
 */

const STAFF_ERRORS = [ValidationError, NotFoundError, ConflictError, PolicyRefusalError];
const NOC = { $all: { write: true, staffRole: 'noc' } } as const;
const opt = <T>(v: T | null | undefined): T | undefined => v ?? undefined;

const PiEvidenceInput = builder.inputType('RoutingPiEvidenceInput', {
  description: 'What shows the institution holds a provider-independent prefix.',
  fields: (f) => ({
    prefix: f.field({ type: 'IPPrefix', description: 'The prefix (one of those to announce).' }),
    evidence: f.string({ description: 'The evidence: RIPE object, registry letter, LIR reference…' }),
  }),
});

const RequestRoutingChangeInput = builder.inputType('RequestRoutingChangeInput', {
  description:
    'A routing change: another collector and/or the full new list of prefixes to announce. Applied at once when every prefix is one of the institution’s active assignments (or a provider-independent prefix the NOC accepted before).',
  fields: (f) => ({
    institutionId: f.id({ description: 'The institution.' }),
    collectorId: f.id({
      required: false,
      description: 'The collector to use (default: the current one; required the first time).',
    }),
    sessionId: f.id({
      required: false,
      description: 'The collector’s BGP session to use (default: the current one, else the first with room).',
    }),
    prefixes: f.field({
      type: ['IPPrefix'],
      description: 'The FULL list of prefixes to announce after the change (IPv4 ≤ /24, IPv6 ≤ /48).',
    }),
    originAs: f.float({
      required: false,
      description: 'Origin AS (default: the current one, else the session peer’s).',
    }),
    piEvidence: f.field({
      type: [PiEvidenceInput],
      required: false,
      description: 'Evidence for provider-independent prefixes (the NOC checks it once).',
    }),
    submit: f.boolean({
      required: false,
      description: 'Submit at once (default); false keeps a draft to amend and submit later.',
    }),
  }),
});

const CreateCollectorInput = builder.inputType('CreateCollectorInput', {
  description: 'A regional collector.',
  fields: (f) => ({
    name: f.string({ description: 'Its name (letters, digits, _ and -).' }),
    asn: f.float({ description: 'Its AS number.' }),
    routerId: f.field({ type: 'IPAddress', description: 'BIRD router id (an IPv4 address).' }),
    region: f.string({ description: 'The region it serves.' }),
  }),
});

const CreateSessionInput = builder.inputType('CreateRoutingSessionInput', {
  description: 'A BGP session of a collector.',
  fields: (f) => ({
    collectorId: f.id({ description: 'The collector.' }),
    name: f.string({ description: 'Its BIRD name (lower-case letters, digits and _).' }),
    peerAddress: f.field({ type: 'IPAddress', description: 'The peer’s address.' }),
    localAddress: f.field({
      type: 'IPAddress',
      required: false,
      description: 'The collector’s address on it.',
    }),
    localPort: f.int({
      required: false,
      description: 'The collector’s TCP port on it (default 179).',
    }),
    peerPort: f.int({ required: false, description: 'The peer’s TCP port (default 179).' }),
    multihop: f.boolean({
      required: false,
      description: 'eBGP multihop: the peer is not directly connected (default false).',
    }),
    peerAsn: f.float({ description: 'The peer’s AS number.' }),
    importLimit: f.int({ description: 'Most prefixes accepted on it, all institutions together.' }),
  }),
});

builder.mutationFields((t) => ({
  requestRoutingChange: t.field({
    type: builder.simpleObject('RequestRoutingChangePayload', {
      description: 'The filed request (completed at once in the normal case).',
      fields: (f) => ({ request: f.field({ type: RequestRef, description: 'The request.' }) }),
    }),
    description:
      'Asks for a routing change (request kind `routing.change`): checked, then applied and the collectors’ configurations regenerated, with no administrative validation; a new provider-independent prefix waits for the NOC. A technical contact of the institution, or the desk.',
    authScopes: { write: true },
    errors: { types: REQUEST_ERRORS },
    args: { input: t.arg({ type: RequestRoutingChangeInput, description: 'The change.' }) },
    resolve: async (_r, { input }, { database, ctx, env }) => {
      const payload = {
        collectorId: opt(input.collectorId)?.toString(),
        sessionId: opt(input.sessionId)?.toString(),
        prefixes: input.prefixes,
        originAs: opt(input.originAs),
        pi: input.piEvidence?.map((p) => ({ prefix: p.prefix, evidence: p.evidence })),
      };
      const request = await fileRequest(
        database.db,
        ctx,
        env,
        {
          kind: ROUTING_CHANGE,
          institutionId: String(input.institutionId),
          payload,
          submit: input.submit ?? true,
        },
        { payloadPath: ['input'] },
      );
      return { request };
    },
  }),
  createCollector: t.field({
    type: builder.simpleObject('CreateCollectorPayload', {
      description: 'The new collector.',
      fields: (f) => ({ collector: f.field({ type: CollectorRef, description: 'The collector.' }) }),
    }),
    description: 'Adds a regional collector. NOC.',
    authScopes: NOC,
    errors: { types: STAFF_ERRORS },
    args: { input: t.arg({ type: CreateCollectorInput, description: 'The collector.' }) },
    resolve: async (_r, { input }, { database, ctx }) => ({
      collector: await createCollector(database.db, ctx, input),
    }),
  }),
  createSession: t.field({
    type: builder.simpleObject('CreateSessionPayload', {
      description: 'The new session.',
      fields: (f) => ({ session: f.field({ type: SessionRef, description: 'The session.' }) }),
    }),
    description: 'Adds a BGP session to a collector. NOC.',
    authScopes: NOC,
    errors: { types: STAFF_ERRORS },
    args: { input: t.arg({ type: CreateSessionInput, description: 'The session.' }) },
    resolve: async (_r, { input }, { database, ctx }) => ({
      session: await createSession(database.db, ctx, {
        ...input,
        collectorId: String(input.collectorId),
        localAddress: opt(input.localAddress),
        localPort: opt(input.localPort),
        peerPort: opt(input.peerPort),
        multihop: opt(input.multihop),
      }),
    }),
  }),
}));
