import { ConflictError, ForbiddenError, type PolicyRefusalError, ValidationError } from '@guichet/core';
import type { Database } from '@guichet/db';
import { freshDatabase } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { access, bareCircuit, device, institution, noc, refusal, regional } from '../test/world.js';
import { createHandoff, createPort, setRdAdministrator, updatePort } from './inventory/index.js';

/** The NOC's inventory and what PostgreSQL holds about it, whoever writes. */
describe(`inventory on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Database;
  let d: Awaited<ReturnType<typeof device>>;
  let circuitId: string;
  beforeAll(async () => {
    database = await freshDatabase();
    d = await device(database.db);
    circuitId = (await bareCircuit(database.db, (await institution(database.db)).id)).id;
  });
  afterAll(async () => {
    await database?.close();
  });

  it('is the NOC’s: a contact is refused before anything is read', async () => {
    const inst = await institution(database.db);
    const e = await refusal(
      createPort(database.db, inst.tech, {
        deviceId: d.device.id,
        name: 'x',
        speedMbps: 1000,
        l2Mtu: 1500,
        mode: 'shared',
      }),
    );
    expect(e).toBeInstanceOf(ForbiddenError);
  });

  it('refuses VLAN ranges with 0 or 4095, a capacity above the speed, and a handoff on a dedicated port', async () => {
    const bad = await refusal(
      d.port({
        vlanRanges: [
          { from: 0, to: 10 },
          { from: 4000, to: 4095 },
        ],
      }),
    );
    expect((bad as ValidationError).issues.map((i) => i.path.join('.'))).toEqual([
      'input.vlanRanges.0.from',
      'input.vlanRanges.1.to',
    ]);
    expect(await refusal(d.port({ speedMbps: 1000, capacityMbps: 2000 }))).toBeInstanceOf(ValidationError);
    const dp = await d.port({ mode: 'dedicated', vlanRanges: [] });
    const r = await regional(database.db, d);
    const e = await refusal(
      createHandoff(database.db, noc(), {
        regionalNetworkId: r.rn.id,
        portId: dp.id,
        name: 'x',
        l2Mtu: 9000,
      }),
    );
    expect((e as PolicyRefusalError).rule).toBe('circuits.port-mode');
    expect(
      await refusal(
        createHandoff(database.db, noc(), {
          regionalNetworkId: r.rn.id,
          portId: r.port.id,
          name: 'y',
          l2Mtu: 9000,
        }),
      ),
    ).toBeInstanceOf(ConflictError);
  });

  it('holds "the whole port" in PostgreSQL: one live attachment per dedicated port, no VLAN use of it', async () => {
    const dp = await d.port({ mode: 'dedicated', vlanRanges: [] });
    const sp = await d.port();
    const [ep] = await database.query<{ id: string }>(
      `INSERT INTO circuits_endpoints (circuit_id, institution_id, site_id, consent, request_id)
       SELECT c.id, c.institution_id, s.id, 'own', c.request_id FROM circuits_circuits c
       JOIN membership_sites s ON s.institution_id = c.institution_id WHERE c.id = $1 LIMIT 1 RETURNING id`,
      [circuitId],
    );
    const attach = (port: string, mode: string, use: string, path = 'primary') =>
      database.query(
        `INSERT INTO circuits_attachments (circuit_id, endpoint_id, path, port_id, port_mode, use, reserved_mbps, tags) VALUES ($1, $2, $3, $4, $5, $6, 1, 1)`,
        [circuitId, ep!.id, path, port, mode, use],
      );
    await attach(dp.id, 'dedicated', 'port');
    await expect(attach(dp.id, 'dedicated', 'port', 'backup')).rejects.toThrow(
      /circuits_attachments_dedicated_key/,
    );
    await expect(attach(dp.id, 'shared', 'vlan', 'backup')).rejects.toThrow(
      /circuits_attachments_port_mode_fkey/,
    );
    await expect(attach(sp.id, 'dedicated', 'port', 'backup')).rejects.toThrow(
      /circuits_attachments_port_mode_fkey/,
    );
    // In use, the port keeps its mode.
    const e = await refusal(updatePort(database.db, noc(), { portId: dp.id, mode: 'shared' }));
    expect((e as PolicyRefusalError).rule).toBe('circuits.inventory-in-use');
  });

  it('keeps reserved bandwidth within capacity, and a capacity cut below it is refused', async () => {
    const p = await d.port({ capacityMbps: 500 });
    await expect(
      database.query('UPDATE circuits_ports SET reserved_mbps = 600 WHERE id = $1', [p.id]),
    ).rejects.toThrow(/circuits_ports_reserved/);
    await database.query('UPDATE circuits_ports SET reserved_mbps = 400 WHERE id = $1', [p.id]);
    const e = await refusal(updatePort(database.db, noc(), { portId: p.id, capacityMbps: 300 }));
    expect((e as PolicyRefusalError).rule).toBe('circuits.inventory-in-use');
  });

  it('refuses an RD/RT administrator whose ranges its type cannot hold', async () => {
    const e = await refusal(
      setRdAdministrator(database.db, noc(), {
        administrator: '193.51.24.1',
        rdFrom: 1,
        rdTo: 70000,
        rtFrom: 1,
        rtTo: 10,
      }),
    );
    expect((e as PolicyRefusalError).rule).toBe('circuits.rd-rt-invalid');
    expect((e as Error).message).toMatch(/beyond 65535/);
    const ok = await setRdAdministrator(database.db, noc(), {
      administrator: '193.51.24.1',
      rdFrom: 1,
      rdTo: 65535,
      rtFrom: 1,
      rtTo: 10,
    });
    expect(ok.type).toBe(1);
  });

  it('a site reaches the backbone through a port once', async () => {
    const inst = await institution(database.db, 1);
    const p = await d.port();
    await access(database.db, inst.sites[0]!, p.id);
    expect(await refusal(access(database.db, inst.sites[0]!, p.id))).toBeInstanceOf(ConflictError);
  });
});
