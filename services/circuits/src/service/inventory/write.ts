import { PolicyRefusalError } from '@guichet/core';
import { type Db, PG, pgError, type Tx, translatePgError } from '@guichet/db';
import { z } from 'zod';

/** How the inventory writes: one transaction, PostgreSQL's refusals as typed errors. */

export const PG_ERRORS = {
  conflicts: {
    circuits_pops_code_key: 'a point of presence with this code exists already',
    circuits_devices_name_key: 'a device with this name exists already',
    circuits_devices_router_id_key: 'another device has this router id',
    circuits_ports_name_key: 'the device has a port with this name already',
    circuits_regional_networks_name_key: 'a regional network with this name exists already',
    circuits_handoffs_port_key: 'this port is a handoff already',
    circuits_handoffs_name_key: 'the regional network has a handoff with this name already',
    circuits_site_access_key: 'the site reaches the backbone through this port already',
  },
  missing: {
    circuits_devices_pop_id_circuits_pops_id_fkey: 'PointOfPresence',
    circuits_ports_device_id_circuits_devices_id_fkey: 'Device',
    circuits_handoffs_regional_network_id_circuits_regional_networks_id_fkey: 'RegionalNetwork',
    circuits_site_access_port_id_circuits_ports_id_fkey: 'Port',
  },
  rules: {
    circuits_handoffs_port_mode_fkey: {
      rule: 'circuits.port-mode',
      message: 'a handoff carries VLANs: its port must be a shared port',
    },
    circuits_attachments_port_mode_fkey: {
      rule: 'circuits.inventory-in-use',
      message: 'the port carries circuits: its mode cannot change',
    },
    circuits_vlans_port_mode_fkey: {
      rule: 'circuits.inventory-in-use',
      message: 'the port holds VLANs: it cannot become dedicated',
    },
    circuits_ports_reserved: {
      rule: 'circuits.inventory-in-use',
      message: 'the circuits on the port hold more bandwidth than that capacity',
    },
    circuits_ports_vlan_ranges: {
      rule: 'circuits.port-mode',
      message: 'a dedicated port has no VLAN ranges (clear them first, or keep it shared)',
    },
  },
  fields: {
    circuits_ports_capacity: { path: ['input', 'capacityMbps'], message: 'between 1 and the port speed' },
  },
};

/**
 * The port-mode foreign keys hold policy, not references: their violations are refusals with a
 * rule (translatePgError maps foreign keys to fields or NotFound, CHECKs to rules).
 */
const FK_RULES: Record<string, { rule: string; message: string }> = {
  circuits_handoffs_port_mode_fkey: PG_ERRORS.rules.circuits_handoffs_port_mode_fkey,
  circuits_attachments_port_mode_fkey: PG_ERRORS.rules.circuits_attachments_port_mode_fkey,
  circuits_vlans_port_mode_fkey: PG_ERRORS.rules.circuits_vlans_port_mode_fkey,
};

export async function write<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await db.transaction(work);
  } catch (e) {
    const pg = pgError(e);
    const rule = pg?.code === PG.foreignKeyViolation ? FK_RULES[pg.constraint ?? ''] : undefined;
    if (rule) throw new PolicyRefusalError(rule.rule, rule.message);
    throw translatePgError(e, PG_ERRORS);
  }
}

export const name63 = z.string().trim().min(1).max(63);
export const mtu = z.number().int().min(1500).max(16000);
export const rangeSchema = z.object({ from: z.number().int(), to: z.number().int() });
