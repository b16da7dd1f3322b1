import { recordChange } from '@guichet/audit';
import { PolicyRefusalError, parseInput, type RequestContext } from '@guichet/core';
import { type Db, one } from '@guichet/db';
import type { EduroamRuntime } from '../config.js';
import { profileInput } from '../inputs.js';
import { inBoxes, sortLang } from '../model.js';
import { RULES } from '../rules.js';
import { profiles } from '../tables.js';
import { lockForEduroam } from './common.js';
import type { ProfileRow } from './sites.js';

/**
 * What the institution says about itself in the eduroam database: names, information and policy
 * pages, venue, coordinates, whether its eduroam contact is public. Absent fields keep their
 * value; before any update the export uses the membership name and no URL.
 */
export async function updateProfile(
  db: Db,
  rt: EduroamRuntime,
  ctx: RequestContext,
  raw: unknown,
): Promise<ProfileRow> {
  const input = parseInput(profileInput, raw);
  if (input.coordinates && !inBoxes(input.coordinates, rt.bounds)) {
    throw new PolicyRefusalError(
      RULES.outsideCountry,
      `input.coordinates: ${input.coordinates.lon},${input.coordinates.lat} (longitude, latitude) is outside ${rt.config.EDUROAM_COUNTRY}`,
    );
  }
  return db.transaction(async (tx) => {
    await lockForEduroam(tx, ctx, input.institutionId);
    const set = {
      ...(input.names ? { names: sortLang(input.names) } : {}),
      ...(input.infoUrls ? { infoUrls: sortLang(input.infoUrls) } : {}),
      ...(input.policyUrls ? { policyUrls: sortLang(input.policyUrls) } : {}),
      ...(input.venue !== undefined ? { venue: input.venue } : {}),
      ...(input.coordinates !== undefined
        ? { lon: input.coordinates?.lon ?? null, lat: input.coordinates?.lat ?? null }
        : {}),
      ...(input.contactPublic !== undefined ? { contactPublic: input.contactPublic } : {}),
      ...(input.production !== undefined ? { production: input.production } : {}),
      updatedAt: ctx.clock.now(),
    };
    // The institution row is locked: an upsert cannot race another one for the same institution.
    const row = one(
      await tx
        .insert(profiles)
        .values({ institutionId: input.institutionId, ...set })
        .onConflictDoUpdate({ target: profiles.institutionId, set })
        .returning(),
    );
    await recordChange(tx, ctx, {
      action: 'eduroam.updateProfile',
      objectType: 'EduroamProfile',
      objectId: row.institutionId,
      institutionId: row.institutionId,
      after: row,
    });
    return row;
  });
}
