import { isIP } from 'node:net';
import { PolicyRefusalError, ValidationError } from '@guichet/core';
import { z } from 'zod';
import { type DirectorySpec, domainOf, type NextHop, within } from './model.js';

/**
 * Pure policy of an onboarding: what a request may carry. Bad shapes are ValidationErrors with
 * field paths (zod); policy (TLS to the directory, private addresses) is a PolicyRefusalError.
 */

/** A control character would end a line of a generated Postfix file (an injected parameter). */
export const hasControl = (v: string) => [...v].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127);

const hostname = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'a domain name (letters, digits, dots)',
  );

const address = z
  .string()
  .trim()
  .max(254)
  .regex(/^[^\s@()<>,;:"\\]{1,64}@[^\s@]+$/, 'an e-mail address')
  .transform((v) => v.toLowerCase());

const host = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .refine((h) => isIP(h) !== 0 || hostname.safeParse(h).success, 'a host name or an IP address');

export const nextHopSchema = z.object({ host, port: z.number().int().min(1).max(65535).default(25) });

/** Filter template: one `%s`, balanced parentheses, no NUL (Postfix's query_filter). */
const filter = z
  .string()
  .trim()
  .min(3)
  .max(500)
  .refine((f) => !hasControl(f), 'no control characters')
  .refine((f) => f.includes('%s'), 'the filter needs %s where the address goes')
  .refine((f) => f.startsWith('(') && balanced(f), 'an LDAP filter in parentheses');

function balanced(f: string): boolean {
  let depth = 0;
  for (const c of f.replace(/\\./g, '')) {
    if (c === '(') depth++;
    if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

const dn = z
  .string()
  .trim()
  .min(3)
  .max(500)
  .regex(/^[A-Za-z][\w-]*=.+$/, 'a distinguished name (attr=value,…)')
  .refine((d) => !hasControl(d), 'no control characters');

export const directorySchema = z.object({
  url: z
    .string()
    .trim()
    .max(300)
    .regex(/^ldaps?:\/\/[A-Za-z0-9.:[\]-]+(:\d{1,5})?\/?$/, 'ldap://host[:port] or ldaps://host[:port]'),
  base: dn,
  filter,
  bindDn: dn,
  resultAttribute: z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/)
    .default('mail'),
  /** StartTLS on an ldap:// URL (ignored for ldaps://). */
  startTls: z.boolean().default(true),
});

/** What the institution types; the password is taken out and sealed before anything is stored. */
export const onboardingInputSchema = z.object({
  domains: z.array(hostname).min(1).max(50),
  directory: directorySchema.extend({ bindPassword: z.string().min(1).max(256) }),
  nextHops: z.array(nextHopSchema).min(1).max(8),
  knownAddress: address,
  unknownAddress: address,
  allowPlainLdap: z.boolean().default(false),
});
export type OnboardingInput = z.output<typeof onboardingInputSchema>;

const isPrivateHost = (h: string) =>
  h === 'localhost' ||
  /^(127\.|10\.|192\.168\.|169\.254\.|172\.(1[6-9]|2\d|3[01])\.|0\.)/.test(h) ||
  /^(::1?$|f[cd]|fe80:)/i.test(h);

/** The directory is reached over TLS, unless staff waive it (`allowPlainLdap`). */
export function directoryPolicy(d: DirectorySpec, allowPlain: boolean, allowPrivate: boolean): void {
  const tls = d.url.startsWith('ldaps://') || d.startTls;
  if (!tls && !allowPlain)
    throw new PolicyRefusalError(
      'antispam.ldap-tls',
      'the directory must be reached over TLS (ldaps:// or StartTLS); only staff can waive it',
    );
  const h = new URL(d.url).hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isPrivateHost(h))
    throw new PolicyRefusalError(
      'antispam.private-host',
      `the directory host ${h} is not reachable from the gateway`,
    );
}

export function nextHopPolicy(hops: readonly NextHop[], allowPrivate: boolean): void {
  for (const h of hops) {
    if (!allowPrivate && isPrivateHost(h.host))
      throw new PolicyRefusalError(
        'antispam.private-host',
        `the next hop ${h.host} is not reachable from the gateway`,
      );
  }
}

/** Both test addresses belong to one of the domains being onboarded; the domains are distinct. */
export function addressPolicy(domains: readonly string[], known: string, unknown: string): void {
  if (new Set(domains).size !== domains.length)
    throw new ValidationError('a domain is listed twice', [
      { path: ['input', 'domains'], message: 'duplicate' },
    ]);
  for (const [field, a] of [
    ['knownAddress', known],
    ['unknownAddress', unknown],
  ] as const) {
    if (!domains.some((d) => within(domainOf(a), d)))
      throw new ValidationError(`${field} must be an address of one of the domains`, [
        { path: ['input', field], message: 'not in the domains' },
      ]);
  }
  if (known === unknown)
    throw new ValidationError('the known and unknown addresses must differ', [
      { path: ['input', 'unknownAddress'], message: 'same as knownAddress' },
    ]);
}

/** The stored request payload of `antispam.onboarding` (the password replaced by its sealed row's id). */
export const onboardingSchema = z.object({
  domains: z.array(z.string().min(1).max(253)).min(1).max(50),
  directory: directorySchema,
  /** The row holding the sealed bind password (antispam_bind_secrets); never the password. */
  bindSecretId: z.uuid(),
  nextHops: z.array(nextHopSchema).min(1).max(8),
  knownAddress: z.string().min(3).max(254),
  unknownAddress: z.string().min(3).max(254),
  allowPlainLdap: z.boolean().default(false),
});
export type OnboardingPayload = z.output<typeof onboardingSchema>;

/** A threshold: a finite score, 0–1000 (the database CHECK is the backstop). */
const score = z.number().finite().min(0).max(1000);

/** One settings layer as set by its owner; null or absent inherits from the layer above. */
export const settingsInputSchema = z.object({
  addHeader: score.nullable().default(null),
  rewriteSubject: score.nullable().default(null),
  reject: score.nullable().default(null),
  tagSubject: z.boolean().nullable().default(null),
});

/**
 * The effective thresholds must rise: a header from `addHeader`, the subject (if tagged) from
 * `rewriteSubject`, rejection from `reject`. Otherwise a lower action would hide behind a higher
 * one and the institution would not get what it asked.
 */
export function settingsPolicy(e: {
  addHeader: number;
  rewriteSubject: number;
  reject: number;
  tagSubject: boolean;
}): void {
  const bad = (field: string, message: string) =>
    new ValidationError(message, [{ path: ['input', field], message }]);
  if (e.addHeader >= e.reject) throw bad('addHeader', 'addHeader must be below reject');
  if (e.tagSubject && !(e.addHeader <= e.rewriteSubject && e.rewriteSubject < e.reject))
    throw bad('rewriteSubject', 'rewriteSubject must be between addHeader and reject');
}

/** An allow/deny list entry: a sender address, or `@domain` for every sender of that domain. */
export const listEntrySchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .refine((v) => !hasControl(v), 'no control characters')
  .refine(
    (v) => (v.startsWith('@') ? hostname.safeParse(v.slice(1)).success : address.safeParse(v).success),
    'a sender address (user@domain) or @domain',
  )
  // The rendered map is `rcpt-domain:sender` per line: a colon or a quote would change its meaning.
  .refine((v) => !/[:"'\s]/.test(v), 'no colon, quote or space');

export const REPORT_KINDS = ['false-positive', 'false-negative'] as const;

/** What a contact uploads: the whole message as text (the size limit is the line's variable). */
export const reportInputSchema = z.object({
  kind: z.enum(REPORT_KINDS),
  eml: z.string().min(1, 'the message is empty'),
});

/** The stored payload of `antispam.misclassification` (the message itself is in antispam_reports). */
export const reportSchema = z.object({
  reportId: z.uuid(),
  kind: z.enum(REPORT_KINDS),
  sender: z.string().max(254).nullable(),
  subject: z.string().max(500).nullable(),
});
export type ReportPayload = z.output<typeof reportSchema>;
