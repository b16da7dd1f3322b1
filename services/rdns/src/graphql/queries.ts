import { builder, STAFF_READ } from '@guichet/graphql';
import { canReadInstitution } from '@guichet/membership';
import { getDelegation } from '../service/delegations.js';
import { listParentZones } from '../service/parent-zones.js';
import { DelegationRef, ParentZoneRef } from './types.js';

/** rdns queries: a delegation (its institution's contacts and staff), the parent zones (staff). */

builder.queryFields((t) => ({
  delegation: t.field({
    type: DelegationRef,
    nullable: true,
    description: 'One reverse delegation; null if it does not exist or is not yours to see.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Its identifier.' }) },
    resolve: async (_r, { id }, { database, ctx }) => {
      const row = await getDelegation(database.db, String(id)).catch(() => null);
      return row && canReadInstitution(ctx.actor, row.institutionId) ? row : null;
    },
  }),
}));

builder.queryFields((t) => ({
  parentZones: t.field({
    type: [ParentZoneRef],
    description: 'The operator’s parent zones, IPv4 first, by prefix. Operator staff.',
    authScopes: STAFF_READ,
    resolve: (_r, _a, { database }) => listParentZones(database.db),
  }),
}));
