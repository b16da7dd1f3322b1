import { PolicyRefusalError } from '@guichet/core';
import type { SiteFields } from './inputs.js';
import { ALLOWED_ENC_LEVELS, type Box, type Coverage, coversRealm, inBoxes, SSID } from './model.js';

/**
 * eduroam policy, pure (the eduroam Service Definition and the NRO's practice,
 * reference/eduroam.md §2). Every refusal is a PolicyRefusalError whose `rule` names the rule.
 */

export const RULES = {
  notActive: 'eduroam.not-active',
  ssid: 'eduroam.ssid',
  encryption: 'eduroam.encryption',
  accessPoints: 'eduroam.access-points',
  outsideCountry: 'eduroam.outside-country',
  realmOverlap: 'eduroam.realm-overlap',
  realmLookalike: 'eduroam.realm-lookalike',
  realmProof: 'eduroam.realm-proof',
  serverAddress: 'eduroam.server-address',
  contactPhone: 'eduroam.contact-phone',
} as const;

/** Every eduroam request and declaration needs the service open in the active agreement. */
export function requireActive(open: boolean, institutionName: string): void {
  if (!open) {
    throw new PolicyRefusalError(
      RULES.notActive,
      `eduroam is not active for ${institutionName}: its agreement must open the eduroam service first (requestEduroamActivation, signed by the head of institution)`,
    );
  }
}

/** What a site must be to join eduroam: SSID, AES only, at least one access point, inside the country. */
export function checkSite(site: SiteFields, bounds: readonly Box[], country: string): void {
  if (site.ssid !== SSID) {
    throw new PolicyRefusalError(
      RULES.ssid,
      `input.ssid: an eduroam site broadcasts the SSID "${SSID}" (lower case, case-sensitive), not "${site.ssid}"`,
    );
  }
  const refused = site.encryption.filter((e) => !ALLOWED_ENC_LEVELS.includes(e));
  if (refused.length) {
    throw new PolicyRefusalError(
      RULES.encryption,
      `input.encryption: ${refused.join(', ')} refused — eduroam allows ${ALLOWED_ENC_LEVELS.join(' or ')} only (no TKIP, no WPA1)`,
    );
  }
  if (site.accessPoints < 1) {
    throw new PolicyRefusalError(
      RULES.accessPoints,
      'input.accessPoints: a site has at least one access point',
    );
  }
  if (!inBoxes(site.coordinates, bounds)) {
    const { lon, lat } = site.coordinates;
    throw new PolicyRefusalError(
      RULES.outsideCountry,
      `input.coordinates: ${lon},${lat} (longitude, latitude) is outside ${country} — check that longitude comes first`,
    );
  }
}

export interface HeldRealm {
  realm: string;
  subrealms: boolean;
  institutionId: string;
  institutionName: string;
}

/**
 * Why a realm cannot be declared, given the realms whose coverage (or skeleton) overlaps it —
 * the database's exclusion constraints decided it; this only words the refusal.
 */
export function overlapRefusal(
  wanted: { realm: string; institutionId: string },
  overlapping: readonly HeldRealm[],
  lookalikes: readonly HeldRealm[],
): PolicyRefusalError {
  const o = overlapping[0];
  if (o) {
    const own = o.institutionId === wanted.institutionId;
    const how = o.realm === wanted.realm ? 'is' : coversRealm(o, wanted.realm) ? 'is covered by' : 'covers';
    return new PolicyRefusalError(
      RULES.realmOverlap,
      `input.realm: ${wanted.realm} ${how} the realm ${o.realm}${o.subrealms && how !== 'is' ? ' (with its subrealms)' : ''} held by ${own ? 'your institution already' : o.institutionName}`,
    );
  }
  const l = lookalikes[0];
  return new PolicyRefusalError(
    RULES.realmLookalike,
    l
      ? `input.realm: ${wanted.realm} looks like the realm ${l.realm} of ${l.institutionId === wanted.institutionId ? 'your institution' : l.institutionName}: refused`
      : `input.realm: ${wanted.realm} overlaps a realm declared meanwhile`,
  );
}

export type { Coverage };
