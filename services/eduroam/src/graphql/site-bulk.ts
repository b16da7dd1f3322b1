import { ConflictError, NotFoundError, PolicyRefusalError, UnavailableError } from '@guichet/core';
import { builder, WRITE } from '@guichet/graphql';
import { canReadInstitution } from '@guichet/membership';
import { type BulkOutcome, bulkMutation, underItem } from '@guichet/workflow';
import { declareSite, getSite, type SiteRow } from '../service/sites.js';
import { SiteFields, type SiteShape, siteValue } from './site-fields.js';
import { SiteRef } from './types.js';

/**
 * `declareEduroamSites`: many `declareEduroamSite` in one call ("declare a hundred eduroam
 * sites" from a file, `guichet apply`), one transaction per item, each checked and authorised
 * as the single mutation is (a technical contact of the institution, or the desk).
 */

const DeclareSiteItemInput = builder.inputType('DeclareEduroamSiteItemInput', {
  description: 'One site to declare, and its institution.',
  fields: (f) => ({
    institutionId: f.id({ description: 'The institution.' }),
    site: f.field({ type: SiteFields, description: 'The site.' }),
  }),
});

bulkMutation<{ institutionId: string | number; site: SiteShape }, SiteRow>('declareEduroamSites', {
  kind: 'eduroam.declareSite',
  description:
    'Declares many eduroam sites (as `declareEduroamSite`, one transaction per item, each with an optional idempotency key): one result per item, the site or a typed error.',
  input: DeclareSiteItemInput,
  authScopes: WRITE,
  errors: [NotFoundError, ConflictError, PolicyRefusalError, UnavailableError],
  fields: (t) => ({
    site: t.field({
      type: SiteRef,
      nullable: true,
      description: 'The declared site (null in a dry run).',
      resolve: (r: BulkOutcome<SiteRow>) => r.value,
    }),
  }),
  run: async (db, input, { env, ctx }, at) => {
    try {
      const site = await declareSite(db, env.line('eduroam'), ctx, {
        institutionId: String(input.institutionId),
        ...siteValue(input.site),
      });
      return { value: site, stored: { siteId: site.id } };
    } catch (e) {
      // declareSite reports `input.<field>`: under the item, the site's fields sit in `site`.
      throw underItem(e, at, ['site']);
    }
  },
  replay: async (tx, stored, { ctx }) => {
    const row = await getSite(tx, String((stored as { siteId: string }).siteId));
    return row && canReadInstitution(ctx.actor, row.institutionId) ? row : null;
  },
});
