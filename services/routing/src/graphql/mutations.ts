import { ConflictError, NotFoundError, PolicyRefusalError, ValidationError } from '@guichet/core';
import { builder, NOC_WRITE } from '@guichet/graphql';
import { bulkRequestMutation, opt, optId, requestMutation } from '@guichet/workflow';
import { createCollector, createSession } from '../service/collectors.js';
import { ROUTING_CHANGE } from '../workflow.js';
import { CollectorRef, SessionRef } from './types.js';

/**
 * Filing (`requestRoutingChange`) goes through the request engine, which decides who may file
 * (a technical contact of the institution, or the desk). Collectors and sessions are the NOC's.
 */

const STAFF_ERRORS = [ValidationError, NotFoundError, ConflictError, PolicyRefusalError];

const PiEvidenceInput = builder.inputType('RoutingPiEvidenceInput', {
  description: 'What shows the institution holds a provider-independent prefix.',
  fields: (f) => ({
    prefix: f.field({ type: 'IPPrefix', description: 'The prefix (one of those to announce).' }),
    evidence: f.string({
      description: 'The evidence: RIPE object, registry letter, LIR reference…',
      maxLength: 4000,
    }),
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
    birdConfigPath: f.string({
      required: false,
      description:
        'Absolute path of the configuration file its BIRD loads: generated configurations are deployed there (with birdSocket). Unset: they are stored for the NOC to deploy.',
    }),
    birdSocket: f.string({
      required: false,
      description:
        'Absolute path of its BIRD control socket (`birdc -s`), used to reconfigure it after each deployment.',
    }),
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

interface RoutingChangeShape {
  institutionId: string | number;
  collectorId?: string | number | null;
  sessionId?: string | number | null;
  prefixes: string[];
  originAs?: number | null;
  piEvidence?: { prefix: string; evidence: string }[] | null;
  submit?: boolean | null;
}

function routingPayload(input: RoutingChangeShape) {
  return {
    collectorId: optId(input.collectorId),
    sessionId: optId(input.sessionId),
    prefixes: input.prefixes,
    originAs: opt(input.originAs),
    pi: input.piEvidence?.map((p) => ({ prefix: p.prefix, evidence: p.evidence })),
  };
}

requestMutation<RoutingChangeShape>('requestRoutingChange', {
  kind: ROUTING_CHANGE,
  description:
    'Asks for a routing change (request kind `routing.change`): checked, then applied and the collectors’ configurations regenerated and deployed, with no administrative validation; a new provider-independent prefix waits for the NOC. A technical contact of the institution, or the desk.',
  input: RequestRoutingChangeInput,
  inputDescription: 'The change.',
  payloadDescription:
    'The filed request (its configurations are deployed within moments in the normal case).',
  payload: routingPayload,
});

bulkRequestMutation<RoutingChangeShape>('requestRoutingChanges', {
  kind: ROUTING_CHANGE,
  description:
    'Files many routing changes (as `requestRoutingChange`, one transaction per item, each with an optional idempotency key): one result per item, payload or typed error.',
  input: RequestRoutingChangeInput,
  payload: routingPayload,
});

builder.mutationFields((t) => ({
  createCollector: t.field({
    type: builder.simpleObject('CreateCollectorPayload', {
      description: 'The new collector.',
      fields: (f) => ({ collector: f.field({ type: CollectorRef, description: 'The collector.' }) }),
    }),
    description: 'Adds a regional collector. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: STAFF_ERRORS },
    args: { input: t.arg({ type: CreateCollectorInput, description: 'The collector.' }) },
    resolve: async (_r, { input }, { database, ctx }) => ({
      collector: await createCollector(database.db, ctx, {
        ...input,
        birdConfigPath: opt(input.birdConfigPath),
        birdSocket: opt(input.birdSocket),
      }),
    }),
  }),
  createSession: t.field({
    type: builder.simpleObject('CreateSessionPayload', {
      description: 'The new session.',
      fields: (f) => ({ session: f.field({ type: SessionRef, description: 'The session.' }) }),
    }),
    description: 'Adds a BGP session to a collector. NOC.',
    authScopes: NOC_WRITE,
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
