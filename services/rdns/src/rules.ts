import { PolicyRefusalError, ValidationError } from '@guichet/core';
import { parseAddress, parseDomainName } from '@guichet/net';
import { type DerivableZone, type DsRecord, isInDomain, type NameServer, normalizeZone } from './model.js';

/** Pure policy of reverse delegation (reverse-dns.md §2, §3 and §7). */

export interface DelegationRequestInput {
  zone: string;
  nameservers: { name: string; addresses?: string[] }[];
  ds?: { keyTag: number; algorithm: number; digestType: number; digest: string }[];
}

export interface ValidDelegation {
  zone: DerivableZone;
  nameservers: NameServer[];
  ds: DsRecord[];
}

/** Digest types accepted in DS records and the hex length of their digest. */
export const DS_DIGEST_LENGTHS: Readonly<Record<number, number>> = { 2: 64, 4: 96 };

/**
 * The zone must be one of those derived from the institution's active assignments
 * (RIPE's `mnt-domains` equivalent); anything else is a policy refusal, not a validation error,
 * because the input is well-formed but the institution does not hold the space.
 */
export function assertZoneDelegable(zone: string, derivable: readonly DerivableZone[]): DerivableZone {
  const z = normalizeZone(zone);
  const found = derivable.find((d) => d.zone === z);
  if (!found) {
    throw new PolicyRefusalError(
      'rdns.zone-not-assigned',
      `${z} is not a reverse zone of a prefix actively assigned to this institution`,
    );
  }
  return found;
}

/**
 * Name servers: at least two distinct names; glue addresses required when the name is inside
 * the delegated zone and refused otherwise (RIPE `NServerValidator`); no duplicate address.
 */
export function validateNameServers(
  zone: string,
  input: DelegationRequestInput['nameservers'],
): NameServer[] {
  if (input.length < 2) {
    throw ValidationError.field(['nameservers'], 'at least two name servers are required (RFC 1034 §4.1)');
  }
  const seen = new Set<string>();
  const seenAddresses = new Set<string>();
  return input.map((ns, i) => {
    const name = parseDomainName(ns.name, ['nameservers', i, 'name']);
    if (seen.has(name)) throw ValidationError.field(['nameservers', i, 'name'], `${name} is listed twice`);
    seen.add(name);
    const inDomain = isInDomain(name, zone);
    const raw = ns.addresses ?? [];
    if (inDomain && raw.length === 0) {
      throw ValidationError.field(
        ['nameservers', i, 'addresses'],
        `${name} is inside ${zone}: glue addresses are required`,
      );
    }
    if (!inDomain && raw.length > 0) {
      throw ValidationError.field(
        ['nameservers', i, 'addresses'],
        `${name} is outside ${zone}: glue addresses are not allowed`,
      );
    }
    const addresses = raw.map((a, j) => {
      const { address } = parseAddress(a, ['nameservers', i, 'addresses', j]);
      if (seenAddresses.has(address)) {
        throw ValidationError.field(['nameservers', i, 'addresses', j], `${address} is listed twice`);
      }
      seenAddresses.add(address);
      return address;
    });
    return { name, addresses };
  });
}

/** DS records: digest types 2 and 4 only (SHA-1 and GOST are refused), digest of the right length. */
export function validateDs(input: DelegationRequestInput['ds']): DsRecord[] {
  return (input ?? []).map((ds, i) => {
    const expected = DS_DIGEST_LENGTHS[ds.digestType];
    if (expected === undefined) {
      throw new PolicyRefusalError(
        'rdns.ds-digest-type',
        `DS ${i + 1}: digest type ${ds.digestType} is not accepted (only 2 = SHA-256 and 4 = SHA-384)`,
      );
    }
    if (!Number.isInteger(ds.keyTag) || ds.keyTag < 0 || ds.keyTag > 65535) {
      throw ValidationError.field(['ds', i, 'keyTag'], 'key tag must be 0–65535');
    }
    if (!Number.isInteger(ds.algorithm) || ds.algorithm < 1 || ds.algorithm > 255) {
      throw ValidationError.field(['ds', i, 'algorithm'], 'algorithm must be 1–255');
    }
    const digest = ds.digest.replace(/\s+/g, '').toUpperCase();
    if (!/^[0-9A-F]*$/.test(digest) || digest.length !== expected) {
      throw ValidationError.field(['ds', i, 'digest'], `digest must be ${expected} hexadecimal characters`);
    }
    return { keyTag: ds.keyTag, algorithm: ds.algorithm, digestType: ds.digestType, digest };
  });
}

/** All rules of a delegation request, in the order a requester would fix them. */
export function validateDelegation(
  input: DelegationRequestInput,
  derivable: readonly DerivableZone[],
): ValidDelegation {
  const zone = assertZoneDelegable(input.zone, derivable);
  const nameservers = validateNameServers(zone.zone, input.nameservers);
  const ds = validateDs(input.ds);
  return { zone, nameservers, ds };
}
