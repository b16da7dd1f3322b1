import { AUTHENTICATED, builder, STAFF_READ } from '@guichet/graphql';
import { InstitutionRef } from '@guichet/membership';
import { RULES } from '../rules/codes.js';
import {
  activeRdAdministrator,
  byId,
  circuitsOfInstitution,
  getCircuitView,
  listPops,
  listRegionalNetworks,
} from '../service/queries.js';
import { devices, ports } from '../tables.js';
import { DeviceRef, PopRef, PortRef, RdAdministratorRef, RegionalNetworkRef } from './inventory-types.js';
import { CircuitRef, CircuitStateEnum } from './types.js';

const RuleRef = builder.simpleObject('CircuitRule', {
  description:
    'A refusal of the circuits line: its stable code (`PolicyRefusalError.rule`) and what it means.',
  fields: (t) => ({
    code: t.string({ description: 'The code.' }),
    description: t.string({ description: 'What it means.' }),
  }),
});

builder.queryFields((t) => ({
  circuit: t.field({
    type: CircuitRef,
    nullable: true,
    description:
      'One circuit; null if it does not exist or is not yours to see. Its owner and operator staff see it whole, the other institution of a shared circuit only its own end.',
    authScopes: AUTHENTICATED,
    args: { id: t.arg.id({ required: true, description: 'Its identifier.' }) },
    resolve: async (_r, { id }, { database, ctx }) =>
      (await getCircuitView(database.db, ctx.actor, String(id))) ?? null,
  }),
  circuitRules: t.field({
    type: [RuleRef],
    description: 'Every refusal code of circuit requests, with its meaning.',
    authScopes: AUTHENTICATED,
    resolve: () => Object.entries(RULES).map(([code, description]) => ({ code, description })),
  }),
  pointsOfPresence: t.field({
    type: [PopRef],
    description: 'The backbone points of presence, their devices and ports. Operator staff.',
    authScopes: STAFF_READ,
    resolve: (_r, _a, { database }) => listPops(database.db),
  }),
  accessDevice: t.field({
    type: DeviceRef,
    nullable: true,
    description:
      'One access device, with its provisioning sheet and PE configuration; null if unknown. Operator staff.',
    authScopes: STAFF_READ,
    args: { id: t.arg.id({ required: true, description: 'Its identifier.' }) },
    resolve: async (_r, { id }, { database }) => (await byId(database.db, devices, String(id))) ?? null,
  }),
  accessPort: t.field({
    type: PortRef,
    nullable: true,
    description: 'One access port, with its VLAN map; null if unknown. Operator staff.',
    authScopes: STAFF_READ,
    args: { id: t.arg.id({ required: true, description: 'Its identifier.' }) },
    resolve: async (_r, { id }, { database }) => (await byId(database.db, ports, String(id))) ?? null,
  }),
  regionalNetworks: t.field({
    type: [RegionalNetworkRef],
    description: 'The regional (collecte) networks and their handoffs. Operator staff.',
    authScopes: STAFF_READ,
    resolve: (_r, _a, { database }) => listRegionalNetworks(database.db),
  }),
  rdAdministrator: t.field({
    type: RdAdministratorRef,
    nullable: true,
    description: 'The active RD/RT administrator; null before the NOC declares it. Operator staff.',
    authScopes: STAFF_READ,
    resolve: async (_r, _a, { database }) => (await activeRdAdministrator(database.db)) ?? null,
  }),
}));

// Reached only through an institution the caller may read, so the institution's own rule applies.
builder.objectField(InstitutionRef, 'circuits', (t) =>
  t.field({
    type: [CircuitRef],
    description:
      'Its circuits, newest first (at most 500): those it ordered, and those of another institution with one of its sites as an endpoint (seen through its own end only).',
    args: {
      states: t.arg({
        type: [CircuitStateEnum],
        required: false,
        description: 'Only circuits in these states.',
      }),
    },
    resolve: (inst, { states }, { database }) =>
      circuitsOfInstitution(database.db, inst.id, states ?? undefined),
  }),
);
