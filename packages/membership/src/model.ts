import { createHash } from 'node:crypto';
import { ValidationError } from '@guichet/core';
import type { z } from 'zod';

/**
 * Pure membership vocabulary: French company identifiers, phone numbers, and the canonical
 * text of an agreement version (what the head of institution signs, hashed with SHA-256).
 */

/** The services an agreement opens; service lines ask `isServiceOpen(db, institution, service)`. */
export const SERVICES = [
  'eduroam',
  'federation',
  'antispam',
  'domains',
  'circuits',
  'ipam',
  'rdns',
  'routing',
] as const;
export type Service = (typeof SERVICES)[number];

/** The eduroam policy a charter names unless the eduroam line is configured with another. */
export const EDUROAM_POLICY_DEFAULT = 'eduroam Policy Service Definition v2.8 (GN3-12-192, 26 July 2012)';

export const INSTITUTION_KINDS = ['tutelle', 'contrat'] as const;
export type InstitutionKind = (typeof INSTITUTION_KINDS)[number];
export const INSTITUTION_STATUSES = ['active', 'closed'] as const;
export type InstitutionStatus = (typeof INSTITUTION_STATUSES)[number];

/** draft → signed (head of institution) → active (agreement desk) → superseded; or withdrawn. */
export const AGREEMENT_STATUSES = ['draft', 'signed', 'active', 'superseded', 'withdrawn'] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

/** Luhn over a digit string: catches every single-digit error and most transpositions. */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Appends the digit that makes `prefix` pass Luhn (to build valid identifiers in demos and tests). */
export function luhnComplete(prefix: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(`${prefix}${d}`)) return `${prefix}${d}`;
  throw new Error(`no Luhn digit for ${prefix}`);
}

/** Spaces and dots are how people write them (`123 456 782`); the identifier is the digits. */
export const compactDigits = (text: string): string => text.replace(/[\s.]/g, '');

export function isValidSiren(siren: string): boolean {
  return /^[0-9]{9}$/.test(siren) && luhnValid(siren);
}

/** La Poste's establishments share one SIREN and are numbered under another rule (INSEE). */
export const LA_POSTE_SIREN = '356000000';

export function isValidSiret(siret: string): boolean {
  if (!/^[0-9]{14}$/.test(siret)) return false;
  if (siret.startsWith(LA_POSTE_SIREN)) {
    const digitSum = [...siret].reduce((s, c) => s + Number(c), 0);
    // The head office (35600000000048) predates the rule and passes Luhn only.
    return digitSum % 5 === 0 || luhnValid(siret);
  }
  return luhnValid(siret);
}

/**
 * Phone numbers are stored in E.164 (`+33123456789`). French national numbers (`01 23 45 67 89`)
 * are accepted and converted; separators (space, dot, hyphen, parentheses) are dropped.
 */
export function normalisePhone(text: string): string | undefined {
  const t = text.trim().replace(/[\s.\-()]/g, '');
  if (/^0[1-9][0-9]{8}$/.test(t)) return `+33${t.slice(1)}`;
  if (/^00[1-9][0-9]{6,14}$/.test(t)) return `+${t.slice(2)}`;
  if (/^\+[1-9][0-9]{6,14}$/.test(t)) return t;
  return undefined;
}

/** eduPersonPrincipalName: `user@scope`, the scope a domain; compared case-insensitively. */
export function normaliseEppn(text: string): string | undefined {
  const t = text.trim().toLowerCase();
  return /^[a-z0-9._%+=-]{1,128}@[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(t) ? t : undefined;
}

/** zod issues → one ValidationError (core's translator, kept under membership's old names). */
export { parseInput, validationFromZod as toValidationError } from '@guichet/core';

// ---------------------------------------------------------------------------------------------
// The agreement document

export interface DocumentSite {
  name: string;
  address: string;
  city: string;
}

/** Everything one signature covers: the three documents and the services they open. */
export interface AgreementDocument {
  institution: { name: string; siren: string };
  version: number;
  conventionRef: string;
  charterRef: string;
  securityContact: { name: string; email: string } | null;
  bandwidthMbps: number;
  secondarySites: DocumentSite[];
  services: string[];
  /** With eduroam: the eduroam charter's policy version and contact. */
  eduroam?: { policy: string | null; contact: { name: string; email: string } | null } | null;
}

/** Bumped if the layout below ever changes: a hash is only comparable within one format. */
export const DOCUMENT_FORMAT = 1;

// One line per value: a newline or a control character in a field must not forge a line.
function clean(v: string): string {
  return v
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

// Code-point order, not localeCompare: the text must not depend on the ICU build.
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The canonical text of an agreement version. Deterministic: the same facts give the same bytes
 * whatever the order sites and services come in, so the SHA-256 of this text is what a
 * signature binds.
 */
export function renderAgreement(doc: AgreementDocument): string {
  const sites = doc.secondarySites
    .map((s) => ({ name: clean(s.name), address: clean(s.address), city: clean(s.city) }))
    .sort((a, b) => cmp(a.name, b.name) || cmp(a.address, b.address) || cmp(a.city, b.city));
  const services = [...new Set(doc.services.map(clean))].sort(cmp);
  const security = doc.securityContact
    ? `${clean(doc.securityContact.name)} <${clean(doc.securityContact.email)}>`
    : '(not declared)';
  const lines = [
    `AGREEMENT (format ${DOCUMENT_FORMAT})`,
    `Institution: ${clean(doc.institution.name)}`,
    `SIREN: ${clean(doc.institution.siren)}`,
    `Version: ${doc.version}`,
    '',
    '1. Convention d’agrément (conditions of access)',
    `   Reference: ${clean(doc.conventionRef)}`,
    '',
    '2. Charte déontologique (good-use charter)',
    `   Reference: ${clean(doc.charterRef)}`,
    `   Security contact: ${security}`,
    '',
    '3. Feuillet débit / sites secondaires (bandwidth sheet)',
    `   Committed bandwidth: ${doc.bandwidthMbps} Mbit/s`,
    `   Secondary sites: ${sites.length}`,
    ...sites.map((s) => `   - ${s.name}; ${s.address}; ${s.city}`),
    '',
    'Services opened',
    ...(services.length ? services.map((s) => `   - ${s}`) : ['   (none)']),
    '',
    // Only a version that opens eduroam has this section: other documents render (and hash)
    // exactly as before it existed.
    ...(services.includes('eduroam') && doc.eduroam
      ? [
          '4. Charte eduroam (eduroam charter)',
          `   Policy: ${clean(doc.eduroam.policy ?? '(not named)')}`,
          `   eduroam contact: ${doc.eduroam.contact ? `${clean(doc.eduroam.contact.name)} <${clean(doc.eduroam.contact.email)}>` : '(not declared)'}`,
          '   The institution follows the eduroam policy named above: SSID eduroam, 802.1X with WPA2/AES or',
          '   WPA3/AES only, RADIUS servers connected to the national proxy, authentication logs kept',
          '   for at least six months, a public eduroam page with the acceptable-use policy.',
          '',
        ]
      : []),
    'One signature by the head of institution covers every section above.',
  ];
  return `${lines.join('\n')}\n`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function renderAndHash(doc: AgreementDocument): { text: string; hash: string } {
  const text = renderAgreement(doc);
  return { text, hash: sha256Hex(text) };
}
