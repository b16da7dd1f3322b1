import { defineKind } from '@guichet/workflow';
import { applyDesign, designSchema } from '../service/design.js';
import { activateCircuit, terminateCircuit } from '../service/lifecycle.js';
import { checkOrder, circuitOfRequest, type Order, orderSchema, recordOrder } from '../service/order.js';
import { circuitIdOf, configureStep, consentStep, regionalStep } from './steps.js';

/**
 * `circuits.order`: the institution's need → record (automatic: every need-level invariant,
 * the circuit and its endpoints, `requested`) → consent (another institution's sites) →
 * design (the NOC chooses the technology, ports, VIDs, QinQ, segments, BGP sessions; every
 * invariant again; VLANs, capacity, whole ports and RD/RT held; `provisioning`) → regional
 * (each regional segment ordered and confirmed active, one by one) → configure (PE
 * configurations rendered and checked by `bird -p`) → activate (`active`). A return, rejection
 * or cancellation terminates the circuit and frees what it held.
 */

export const CIRCUIT_ORDER = 'circuits.order';

export const ORDER_KIND = defineKind<Order>({
  kind: CIRCUIT_ORDER,
  queue: 'circuits',
  title: 'Circuit order',
  description:
    'A circuit between sites of the institution (or with another institution’s site, with its consent): point-to-point or multipoint, Ethernet or IP, a bandwidth and, point-to-point, a backup. The NOC chooses the technology (L2VPN VLAN-to-VLAN, L2VPN port-to-port, L3VPN, 10GE / lambda); the order completes once every regional segment is active.',
  schema: orderSchema,
  validate: async (tx, payload, institutionId, _ctx, env) => {
    await checkOrder(tx, payload, institutionId, env.line('circuits').config);
  },
  summary: (p) =>
    `${p.name} (${p.topology === 'p2p' ? 'point-to-point' : 'multipoint'} ${p.service}, ${p.bandwidthMbps} Mbit/s)`,
  steps: [
    {
      name: 'record',
      type: 'automatic',
      description:
        'Checks the need (endpoints, bandwidth, no VPLS, L3VPN limits…) and records the circuit as requested.',
      run: async (tx, args) => {
        const { circuit, pendingConsents } = await recordOrder(
          tx,
          args.ctx,
          args.request.id,
          args.request.institutionId,
          args.payload,
          args.env.line('circuits').config,
        );
        return { circuitId: circuit.id, pendingConsents };
      },
    },
    consentStep<Order>(),
    {
      name: 'design',
      type: 'human',
      actor: 'noc',
      description:
        'The NOC chooses the technology and, per endpoint, the port, VID, QinQ C-VLANs, regional segment and BGP session (designCircuit); every invariant is checked again and the VLANs, capacity and RD/RT are held.',
      dataSchema: designSchema as never,
      run: async (tx, args) => ({
        ...(await applyDesign(tx, args.ctx, args.env.line('circuits').config, circuitIdOf(args), args.data)),
      }),
    },
    regionalStep<Order>(),
    configureStep<Order>(),
    {
      name: 'activate',
      type: 'automatic',
      description: 'The circuit is active, with its VLANs, ports and RD/RT held.',
      run: async (tx, args) => {
        const c = await activateCircuit(tx, args.ctx, circuitIdOf(args), args.request.id);
        return { state: c.state };
      },
    },
  ],
  onAbandon: async (tx, request, ctx) => {
    const c = await circuitOfRequest(tx, request.id);
    if (c && c.state !== 'terminated') await terminateCircuit(tx, ctx, c.id, request.id);
  },
  sla: { responseMinutes: 4 * 60, resolutionMinutes: 30 * 24 * 60 },
});
