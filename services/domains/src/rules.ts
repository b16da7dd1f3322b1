import { PolicyRefusalError, ValidationError } from '@guichet/core';
import { isValidSiren, isValidSiret } from '@guichet/membership';
import { parseAddress, parseDomainName } from '@guichet/net';
import type { DsJson, HolderJson, NameServerJson } from './tables.js';

/**
 * Pure policy of the domains line (fr-domains.md §2, §4.3, §10): who may hold a .fr name, the
 * contacts AFNIC takes, name servers and DS, the period. Refusals of a well-formed request are
 * PolicyRefusalError naming their rule; malformed input is a ValidationError with its path.
 */

type Path = (string | number)[];

/** EU, Iceland, Liechtenstein, Norway, Switzerland (AFNIC eligibility, since 2011-12-06). */
export const ELIGIBLE_COUNTRIES: ReadonlySet<string> = new Set([
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
  'IS',
  'LI',
  'NO',
  'CH',
]);

/**
 * The holder must be a legal entity with its registered office in the EEA or Switzerland; a
 * French one is identified by its SIREN or SIRET (checked with Luhn), an association may give
 * its Waldec number instead; another country's entity gives its VAT number.
 */
export function checkHolder(h: HolderJson, path: Path = ['input', 'holder']): HolderJson {
  const country = h.country.toUpperCase();
  if (!ELIGIBLE_COUNTRIES.has(country)) {
    throw new PolicyRefusalError(
      'eligibility.country',
      `a .fr holder must have its registered office in the EU, Iceland, Liechtenstein, Norway or Switzerland (${country} is not)`,
    );
  }
  const siren = h.siren?.replace(/[\s.]/g, '');
  if (siren && !(siren.length === 9 ? isValidSiren(siren) : isValidSiret(siren))) {
    throw ValidationError.field([...path, 'siren'], 'not a valid SIREN (9 digits) or SIRET (14 digits)');
  }
  if (country === 'FR' && !siren && !(h.legalStatus === 'association' && h.waldec)) {
    throw new PolicyRefusalError(
      'eligibility.identifier',
      'a French holder is identified by its SIREN or SIRET (an association may give its Waldec number)',
    );
  }
  if (country !== 'FR' && !h.vat) {
    throw new PolicyRefusalError(
      'eligibility.identifier',
      `a holder established in ${country} is identified by its intra-community VAT number`,
    );
  }
  if (h.waldec && !/^W[0-9]{9}$/.test(h.waldec)) {
    throw ValidationError.field([...path, 'waldec'], 'a Waldec number is W followed by 9 digits');
  }
  return { ...h, country, ...(siren ? { siren } : {}) };
}

/** Exactly one administrative and one to three technical contacts; no billing contact. */
export function checkContactCounts(
  admin: readonly string[],
  techs: readonly string[],
  path: Path = ['input'],
): void {
  if (admin.length !== 1) {
    throw ValidationError.field([...path, 'adminContactId'], 'exactly one administrative contact');
  }
  if (techs.length < 1 || techs.length > 3) {
    throw ValidationError.field([...path, 'techContactIds'], 'one to three technical contacts');
  }
  if (new Set(techs).size !== techs.length) {
    throw ValidationError.field([...path, 'techContactIds'], 'a technical contact is listed twice');
  }
}

const inside = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/**
 * At least two distinct name servers (at most 13); glue addresses are required for a name
 * inside the domain and refused for any other (the registry takes host objects, and only a
 * host under the name it serves needs addresses).
 */
export function checkNameServers(
  domain: string,
  input: readonly { name: string; addresses?: string[] }[],
  path: Path = ['input', 'nameservers'],
): NameServerJson[] {
  if (input.length < 2) throw ValidationError.field(path, 'at least two name servers are required');
  if (input.length > 13) throw ValidationError.field(path, 'at most 13 name servers');
  const seen = new Set<string>();
  return input.map((ns, i) => {
    const name = parseDomainName(ns.name, [...path, i, 'name']);
    if (seen.has(name)) throw ValidationError.field([...path, i, 'name'], `${name} is listed twice`);
    seen.add(name);
    const raw = ns.addresses ?? [];
    const own = inside(name, domain);
    if (own && raw.length === 0) {
      throw ValidationError.field(
        [...path, i, 'addresses'],
        `${name} is inside ${domain}: glue addresses are required`,
      );
    }
    if (!own && raw.length > 0) {
      throw ValidationError.field(
        [...path, i, 'addresses'],
        `${name} is outside ${domain}: glue addresses are not allowed`,
      );
    }
    const addresses = raw.map((a, j) => parseAddress(a, [...path, i, 'addresses', j]).address);
    if (new Set(addresses).size !== addresses.length) {
      throw ValidationError.field([...path, i, 'addresses'], 'an address is listed twice');
    }
    return { name, addresses };
  });
}

/** Digest types accepted in DS records (SHA-256, SHA-384) and the hex length of their digest. */
export const DS_DIGEST_LENGTHS: Readonly<Record<number, number>> = { 2: 64, 4: 96 };

export function checkDs(input: readonly DsJson[] | undefined, path: Path = ['input', 'ds']): DsJson[] {
  return (input ?? []).map((ds, i) => {
    const expected = DS_DIGEST_LENGTHS[ds.digestType];
    if (expected === undefined) {
      throw new PolicyRefusalError(
        'domains.ds-digest-type',
        `DS ${i + 1}: digest type ${ds.digestType} is not accepted (only 2 = SHA-256 and 4 = SHA-384)`,
      );
    }
    if (!Number.isInteger(ds.keyTag) || ds.keyTag < 0 || ds.keyTag > 65535) {
      throw ValidationError.field([...path, i, 'keyTag'], 'key tag must be 0–65535');
    }
    if (!Number.isInteger(ds.algorithm) || ds.algorithm < 1 || ds.algorithm > 255) {
      throw ValidationError.field([...path, i, 'algorithm'], 'algorithm must be 1–255');
    }
    const digest = ds.digest.replace(/\s+/g, '').toUpperCase();
    if (!/^[0-9A-F]*$/.test(digest) || digest.length !== expected) {
      throw ValidationError.field(
        [...path, i, 'digest'],
        `digest must be ${expected} hexadecimal characters`,
      );
    }
    return { keyTag: ds.keyTag, algorithm: ds.algorithm, digestType: ds.digestType, digest };
  });
}

/** A registration or renewal runs 1 to 10 years. */
export function checkPeriod(years: number, path: Path = ['input', 'periodYears']): number {
  if (!Number.isInteger(years) || years < 1 || years > 10) {
    throw ValidationError.field(path, 'the period is 1 to 10 years');
  }
  return years;
}

/**
 * What the registry's check says of a name: taken → refused; forbidden → refused; reserved
 * (a fundamental term: commune, State…) → not refused but sent to prior review, where AFNIC
 * issues an authorisation code the NOC enters before the create.
 */
export function registryVerdict(c: {
  name: string;
  avail: boolean;
  reason?: string;
  reserved: boolean;
  forbidden: boolean;
  rsvReason?: string;
  fbdReason?: string;
}): { verdict: 'available' } | { verdict: 'prior-review'; reason: string } {
  if (c.forbidden) {
    throw new PolicyRefusalError(
      'registry.forbidden',
      `${c.name} is forbidden by the registry (${c.fbdReason ?? 'no reason given'})`,
    );
  }
  if (c.reserved) return { verdict: 'prior-review', reason: c.rsvReason ?? 'reserved term' };
  if (!c.avail) {
    throw new PolicyRefusalError('registry.taken', `${c.name} is not available (${c.reason ?? 'in use'})`);
  }
  return { verdict: 'available' };
}
