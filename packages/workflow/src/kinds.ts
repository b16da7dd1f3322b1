import type { RequestContext } from '@guichet/core';
import type { Db, DbOrTx, Tx } from '@guichet/db';
import type { z } from 'zod';
import type { RequestRow, StepActor } from './events.js';
import type { Env } from './line/env.js';
import type { StepType } from './rules.js';

/**
 * The registry of request kinds. A service line registers its kinds at import time; which
 * steps a kind has, and who acts on each, is data here — the engine (requests/) knows no kind.
 */

export interface RetryPolicy {
  /** Retries after the first attempt: 2 means three attempts in all. */
  limit: number;
  /** Delay before the first retry. */
  delaySeconds: number;
  /** Double the delay at each retry. */
  backoff: boolean;
}

export const DEFAULT_RETRY: RetryPolicy = { limit: 5, delaySeconds: 30, backoff: true };

/** What earlier steps of the current pass returned, by step name. */
export type StepOutputs = Record<string, Record<string, unknown>>;

/** A step's result, kept in the history (`step_completed` event) and handed to later steps. */
// biome-ignore lint/suspicious/noConfusingVoidType: a step that returns nothing is the common case
export type StepResult = Record<string, unknown> | undefined | void;

export interface StepArgs<P> {
  request: RequestRow;
  payload: P;
  /** Who acts: the approving person for a human step, the job's system actor for an external one. */
  ctx: RequestContext;
  /** The approving action's data (human steps), e.g. `{ documentHash }` for a signature. */
  data: Record<string, unknown> | undefined;
  /** Which submission this is: 1, then 2 after a return and resubmission… */
  pass: number;
  outputs: StepOutputs;
  /** The process's env: the database, configuration, job runner and each line's runtime. */
  env: Env;
}

interface StepBase {
  /** Unique within the kind; shown to users and used in `approveRequestStep(step: …)`. */
  name: string;
  description: string;
}

/** Runs as soon as it is reached, in the transaction that reached it; a throw rolls that back. */
export interface AutomaticStep<P> extends StepBase {
  type: 'automatic';
  run: (tx: Tx, args: StepArgs<P>) => Promise<StepResult>;
}

/** Waits for a person; `run` executes in the transaction of the approval, with its data. */
export interface HumanStep<P> extends StepBase {
  type: 'human';
  actor: StepActor;
  /** Shape of the approval's data; the approval is refused (ValidationError) when it does not match. */
  dataSchema?: z.ZodType<Record<string, unknown>>;
  run?: (tx: Tx, args: StepArgs<P>) => Promise<StepResult>;
  /**
   * A policy that approves the step itself when it is reached (in the transaction that reached
   * it): a reason means "approved by policy" — `run` executes as the actor `system:policy` and
   * the history records the reason; `false` leaves the step waiting for its person.
   */
  autoApprove?: (tx: Tx, args: Omit<StepArgs<P>, 'data'>) => Promise<string | false>;
}

/** The actor name under which an auto-approved step runs and is recorded (`system:policy`). */
export const POLICY_ACTOR = 'policy';

/**
 * Runs in the background job `workflow.external-step`, outside any transaction (it talks to a
 * peer: a DNS server, a registry), and must be idempotent: a retry runs it again.
 */
export interface ExternalStep<P> extends StepBase {
  type: 'external';
  run: (db: Db, args: StepArgs<P>) => Promise<StepResult>;
  /** Overrides the kind's retry policy for this step (a function when it follows configuration). */
  retry?: Partial<RetryPolicy> | ((env: Env) => Partial<RetryPolicy>);
}

/**
 * Thrown by an external step whose check found something only the institution can correct
 * (a name server that does not answer): the request is RETURNED with `reason` — not retried,
 * not failed — and `data` (the findings) goes into the history. The institution amends and
 * resubmits; the new pass starts from the first step.
 */
export class ReturnToInstitution extends Error {
  constructor(
    readonly reason: string,
    readonly data: Record<string, unknown> = {},
  ) {
    super(reason);
    this.name = 'ReturnToInstitution';
  }
}

export type StepDef<P> = AutomaticStep<P> | HumanStep<P> | ExternalStep<P>;

export interface KindDef<P> {
  /** `<line>.<name>`: `membership.agreementChange`, `ipam.prefix`. */
  kind: string;
  /** The NOC queue (one per service line) the request's ticket goes to. */
  queue: string;
  title: string;
  description: string;
  /** Validates and normalises the payload; its output is what is stored. */
  schema: z.ZodType<P>;
  /** Checks that need the database (the contact exists, the site is the institution's…); throw ValidationError. */
  validate?: (tx: Tx, payload: P, institutionId: string, ctx: RequestContext, env: Env) => Promise<void>;
  steps: StepDef<P>[];
  sla: { responseMinutes: number; resolutionMinutes: number };
  /** Retry policy of the external steps (default: 5 retries, 30 s doubling). */
  retry?: Partial<RetryPolicy>;
  /**
   * Undoes what the current pass left behind when the request is returned, rejected or
   * cancelled (a draft agreement version is withdrawn). Must be idempotent.
   */
  onAbandon?: (
    tx: Tx,
    request: RequestRow,
    ctx: RequestContext,
    outputs: StepOutputs,
    env: Env,
  ) => Promise<void>;
  /** One line saying what a request is about (`zone 7.48.193.in-addr.arpa`), shown in emails. */
  summary?: (payload: P) => string;
  /** The document a person signs for this request, if any (shown as `Request.document`). */
  document?: (
    db: DbOrTx,
    request: RequestRow,
    outputs: StepOutputs,
    env: Env,
  ) => Promise<RequestDocument | null>;
}

export interface RequestDocument {
  text: string;
  /** SHA-256 (hex) of the text: what a signature names. */
  hash: string;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry mixes payload types; each kind checks its own
export type AnyKind = KindDef<any>;
// biome-ignore lint/suspicious/noExplicitAny: as above
export type AnyStep = StepDef<any>;

const registry = new Map<string, AnyKind>();

const KIND_NAME = /^[a-z][a-z0-9]*\.[a-z][A-Za-z0-9]*$/;
const STEP_NAME = /^[a-z][A-Za-z0-9_-]*$/;

/**
 * Declares a request kind and registers it (kinds are code: one registry per process, shared by
 * every env; what a step reads at run time comes from its `env`). A service line lists the
 * kinds it defines in its descriptor.
 */
export function defineKind<P>(def: KindDef<P>): KindDef<P> {
  return registerKind(def);
}

/** Registers a kind unless this very definition is already registered (composition). */
export function ensureKind(def: AnyKind): void {
  if (registry.get(def.kind) !== def) registerKind(def);
}

export function registerKind<P>(def: KindDef<P>): KindDef<P> {
  if (!KIND_NAME.test(def.kind)) throw new Error(`kind "${def.kind}" must look like "line.camelName"`);
  if (registry.has(def.kind)) throw new Error(`kind "${def.kind}" is already registered`);
  if (def.steps.length === 0) throw new Error(`kind "${def.kind}" has no step`);
  const names = new Set<string>();
  for (const s of def.steps) {
    if (!STEP_NAME.test(s.name)) throw new Error(`kind "${def.kind}": bad step name "${s.name}"`);
    if (names.has(s.name)) throw new Error(`kind "${def.kind}": two steps named "${s.name}"`);
    names.add(s.name);
  }
  registry.set(def.kind, def as AnyKind);
  return def;
}

export function getKind(kind: string): AnyKind | undefined {
  return registry.get(kind);
}

export function listKinds(): AnyKind[] {
  return [...registry.values()].sort((a, b) => a.kind.localeCompare(b.kind));
}

export function findStep(kind: AnyKind, name: string | null | undefined): AnyStep | undefined {
  return name ? kind.steps.find((s) => s.name === name) : undefined;
}

export function stepActor(step: AnyStep | undefined): StepActor | undefined {
  return step?.type === 'human' ? step.actor : undefined;
}

/** The institution holds the ball: the ticket's SLA clock pauses while such a step waits. */
export function waitsOnInstitution(step: AnyStep | undefined): boolean {
  const actor = stepActor(step);
  return actor === 'head' || actor === 'technical';
}

export function retryPolicy(kind: AnyKind, step: AnyStep, env: Env): RetryPolicy {
  const own =
    step.type === 'external' ? (typeof step.retry === 'function' ? step.retry(env) : step.retry) : {};
  return { ...DEFAULT_RETRY, ...kind.retry, ...own };
}

/** Seconds to wait before retry number `retry` (1 for the first retry). */
export function retryDelaySeconds(policy: RetryPolicy, retry: number): number {
  return policy.backoff ? policy.delaySeconds * 2 ** (retry - 1) : policy.delaySeconds;
}

/** The step as the events contract describes it. */
export function stepInfo(step: AnyStep): {
  name: string;
  type: StepType;
  actor?: StepActor;
  waitsOnInstitution: boolean;
} {
  const actor = stepActor(step);
  return {
    name: step.name,
    type: step.type,
    ...(actor ? { actor } : {}),
    waitsOnInstitution: waitsOnInstitution(step),
  };
}
