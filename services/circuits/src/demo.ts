import type { RequestContext } from '@guichet/core';
import { inArray } from '@guichet/db';
import { agreementVersions, institutions, listSites } from '@guichet/membership';
import type { Env } from '@guichet/workflow';
import {
  addSiteAccess,
  createDevice,
  createHandoff,
  createPop,
  createPort,
  createRegionalNetwork,
  setRdAdministrator,
} from './service/inventory/index.js';
import { pops } from './tables.js';

/**
 * Demo inventory, so that the README's first minutes work: a point of presence in Caen with an
 * access device and a PE, a regional network (SYRHANO) with its handoff, the RD/RT
 * administrator AS2200, and access for the sites of the demo institutions whose agreement opens
 * circuits. Does nothing once a point of presence exists.
 */
export async function circuitsDemo(env: Env, ctx: RequestContext): Promise<void> {
  const db = env.database.db;
  if ((await db.select({ id: pops.id }).from(pops).limit(1)).length) return;
  const noc: RequestContext = {
    ...ctx,
    actor: {
      kind: 'staff',
      id: '00000000-0000-4000-8000-00000000c1c1',
      username: 'demo-noc',
      displayName: 'Demo NOC',
      roles: ['noc'],
      credential: { method: 'session', scope: 'write' },
    },
  };
  await setRdAdministrator(db, noc, {
    administrator: '2200',
    rdFrom: 1000,
    rdTo: 99999,
    rtFrom: 1000,
    rtTo: 99999,
  });
  const pop = await createPop(db, noc, { code: 'CAE1', name: 'Caen', city: 'Caen' });
  const acc = await createDevice(db, noc, { popId: pop.id, name: 'cae1-acc1', routerId: '193.51.190.1' });
  const pe = await createDevice(db, noc, { popId: pop.id, name: 'cae1-pe1', routerId: '193.51.190.2' });
  const port = (deviceId: string, name: string, over: Partial<Parameters<typeof createPort>[2]> = {}) =>
    createPort(db, noc, { deviceId, name, speedMbps: 10000, l2Mtu: 9216, mode: 'shared', ...over });
  const shared = await port(acc.id, 'xe-0/0/1', { vlanRanges: [{ from: 100, to: 999 }] });
  const dedicated = await port(acc.id, 'xe-0/0/2', { mode: 'dedicated' });
  const handoffPort = await port(acc.id, 'xe-0/0/4', { vlanRanges: [{ from: 2000, to: 2999 }] });
  const l3 = await port(pe.id, 'xe-1/0/1', { vlanRanges: [{ from: 300, to: 399 }] });
  const rn = await createRegionalNetwork(db, noc, {
    name: 'SYRHANO',
    operator: 'Région Normandie',
    l2Mtu: 1600,
  });
  await createHandoff(db, noc, {
    regionalNetworkId: rn.id,
    portId: handoffPort.id,
    name: 'caen',
    l2Mtu: 9000,
    translation: true,
  });
  const open = await db
    .select({ id: agreementVersions.institutionId, services: agreementVersions.services })
    .from(agreementVersions)
    .where(inArray(agreementVersions.status, ['active']));
  const ids = open.filter((o) => o.services.includes('circuits')).map((o) => o.id);
  if (ids.length === 0) return;
  const insts = await db
    .select({ id: institutions.id })
    .from(institutions)
    .where(inArray(institutions.id, ids));
  for (const inst of insts) {
    const [main, second] = await listSites(db, inst.id);
    if (main) {
      for (const p of [shared, dedicated, l3])
        await addSiteAccess(db, noc, { siteId: main.id, portId: p.id });
    }
    if (second) await addSiteAccess(db, noc, { siteId: second.id, portId: handoffPort.id });
  }
}
