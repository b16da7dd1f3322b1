import type { Case } from './cases.js';
import { STAFF } from './fixtures.js';

/** Rules for the ipam root fields (see cases.ts for the vocabulary). */
const R = '__typename ... on Error { code }';

export const IPAM_REGISTRY_CASES: Record<string, Case> = {
  'Query.ripeDrift': {
    call: () => ({ query: '{ r: ripeDrift { configured inSync } }' }),
    expect: (role) => (STAFF.includes(role) ? 'allow' : 'deny'),
  },
  'Mutation.importRipeObjects': {
    // An unknown pool: the NOC gets the typed ValidationError, nothing is written.
    call: () => ({
      query: `mutation { r: importRipeObjects(input: { poolId: "00000000-0000-4000-8000-000000000000", text: "inet6num: 2001:db8::/48" }) { ${R} } }`,
    }),
    expect: (role) => (role === 'noc' || role === 'admin' ? 'allow' : 'deny'),
  },
};
