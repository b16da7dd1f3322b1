import { builder, WRITE } from '@guichet/graphql';
import { declareSite, removeSite, updateSite } from '../service/sites.js';
import { ERRORS, idArg } from './mutation-kit.js';
import { SiteFields, type SiteShape, siteValue } from './site-fields.js';
import { SiteRef } from './types.js';

/** eduroam sites, one at a time (`declareEduroamSites` in site-bulk.ts for many): a technical contact, or the desk. */

const SitePayload = builder.simpleObject('EduroamSitePayload', {
  description: 'The site after the action.',
  fields: (t) => ({ site: t.field({ type: SiteRef, description: 'The site.' }) }),
});

builder.mutationFields((t) => ({
  declareEduroamSite: t.field({
    type: SitePayload,
    description:
      'Declares a site where the institution broadcasts eduroam (SSID eduroam, WPA2/AES or WPA3/AES, ≥ 1 access point, inside the country). A technical contact of the institution, or the desk.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: {
      institutionId: t.arg.id({ required: true, description: 'The institution.' }),
      input: t.arg({ type: SiteFields, required: true, description: 'The site.' }),
    },
    resolve: async (_r, { institutionId, input }, { env, ctx }) => ({
      site: await declareSite(env.database.db, env.line('eduroam'), ctx, {
        institutionId: String(institutionId),
        ...siteValue(input as SiteShape),
      }),
    }),
  }),
  updateEduroamSite: t.field({
    type: SitePayload,
    description:
      'Replaces a site’s description (every field again); its location id stays. A technical contact of the institution, or the desk.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: {
      id: t.arg.id({ required: true, description: 'The site.' }),
      input: t.arg({ type: SiteFields, required: true, description: 'The site, as it is now.' }),
    },
    resolve: async (_r, { id, input }, { env, ctx }) => ({
      site: await updateSite(
        env.database.db,
        env.line('eduroam'),
        ctx,
        String(id),
        siteValue(input as SiteShape),
      ),
    }),
  }),
  removeEduroamSite: t.field({
    type: SitePayload,
    description:
      'Removes a site (it leaves the eduroam database export). A technical contact of the institution, or the desk.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: { id: idArg(t, 'The site.') as never },
    resolve: async (_r, { id }, { env, ctx }) => ({
      site: await removeSite(env.database.db, ctx, String(id)),
    }),
  }),
}));
