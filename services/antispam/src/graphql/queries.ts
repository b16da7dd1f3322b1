import { builder, STAFF_READ } from '@guichet/graphql';
import { listDomains } from '../service/onboarding.js';
import { DomainRef } from './types.js';

/** antispam queries: the staff view of every domain on the gateway. */

builder.queryFields((t) => ({
  antispamDomains: t.field({
    type: [DomainRef],
    description: 'Every domain on the antispam gateway (withdrawn ones left out), by name. Operator staff.',
    authScopes: STAFF_READ,
    resolve: (_r, _a, { database }) => listDomains(database.db),
  }),
}));
