import { STAFF_ROLES, type StaffRole } from '@guichet/core';
import { asc, type DbOrTx, sql } from '@guichet/db';
import { builder } from '@guichet/graphql';
import { StaffRoleEnum } from './graphql.js';
import type { StaffRow } from './staff.js';
import { authStaff } from './tables.js';

/**
 * The staff directory the NOC console picks an assignee from: who may own a ticket, by name.
 * Staff only (contacts see a ticket's owner as an id, never the operator's staff list); no
 * email, no federation identity — a name to choose and the id `assignTicket` takes.
 */

const MAX_STAFF = 500;

/** Staff accounts holding `role` (all of them without one), by display name. */
export async function listStaff(db: DbOrTx, role?: StaffRole): Promise<StaffRow[]> {
  return db
    .select()
    .from(authStaff)
    .where(role ? sql`${role} = ANY(${authStaff.roles})` : undefined)
    .orderBy(asc(authStaff.displayName), asc(authStaff.id))
    .limit(MAX_STAFF);
}

const StaffMember = builder.objectRef<StaffRow>('StaffMember').implement({
  description: 'An operator staff account, as a colleague picks it (to assign a ticket).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The staff id (what `assignTicket` takes).' }),
    username: t.exposeString('username', { description: 'Directory username.' }),
    displayName: t.exposeString('displayName', { description: 'Name, for people.' }),
    roles: t.field({
      type: [StaffRoleEnum],
      description: 'Staff roles held (as of the last directory login).',
      resolve: (s) => s.roles.filter((r): r is StaffRole => (STAFF_ROLES as readonly string[]).includes(r)),
    }),
  }),
});

builder.queryField('staffMembers', (t) =>
  t.field({
    type: [StaffMember],
    description: `Operator staff accounts by name, at most ${MAX_STAFF}; only those holding \`role\` if given (NOC: who may own a ticket). Staff only.`,
    authScopes: { staff: true },
    args: {
      role: t.arg({
        type: StaffRoleEnum,
        required: false,
        description: 'Only the accounts holding this role.',
      }),
    },
    resolve: (_r, { role }, { database }) => listStaff(database.db, role ?? undefined),
  }),
);
