import { and, asc, type DbOrTx, eq, inArray, isNull, ne } from '@guichet/db';
import { institutions, sites } from '@guichet/membership';
import { circuitReference, type Technology } from '../model.js';
import { renderSheet, type SheetEnd, type SheetInput, type SheetService } from '../sheet/render.js';
import {
  attachments,
  circuits,
  cvlans,
  devices,
  endpoints,
  handoffs,
  pops,
  ports,
  regionalNetworks,
  routeTargets,
  segments,
  vlans,
  vpns,
  vrfs,
} from '../tables.js';

/** The provisioning sheet of a device, from the database (L2 services with a live end on it). */
export async function sheetInput(db: DbOrTx, deviceId: string): Promise<SheetInput | undefined> {
  const [d] = await db
    .select({ name: devices.name, routerId: devices.routerId, pop: pops.code })
    .from(devices)
    .innerJoin(pops, eq(pops.id, devices.popId))
    .where(eq(devices.id, deviceId));
  if (!d) return undefined;
  const here = await db
    .selectDistinct({ circuitId: attachments.circuitId })
    .from(attachments)
    .innerJoin(ports, eq(ports.id, attachments.portId))
    .innerJoin(circuits, eq(circuits.id, attachments.circuitId))
    .where(
      and(
        eq(ports.deviceId, deviceId),
        isNull(attachments.releasedAt),
        ne(circuits.technology, 'l3vpn'),
        ne(circuits.state, 'terminated'),
      ),
    );
  const ids = here.map((h) => h.circuitId);
  const services: SheetService[] = [];
  if (ids.length) {
    const ends = await db
      .select({
        a: attachments,
        port: ports,
        device: devices,
        site: sites.name,
        short: institutions.shortName,
        vlanId: vlans.id,
        vid: vlans.vid,
        seg: segments,
        handoff: handoffs.name,
        rn: regionalNetworks,
      })
      .from(attachments)
      .innerJoin(ports, eq(ports.id, attachments.portId))
      .innerJoin(devices, eq(devices.id, ports.deviceId))
      .innerJoin(endpoints, eq(endpoints.id, attachments.endpointId))
      .innerJoin(sites, eq(sites.id, endpoints.siteId))
      .innerJoin(institutions, eq(institutions.id, endpoints.institutionId))
      .leftJoin(vlans, eq(vlans.attachmentId, attachments.id))
      .leftJoin(segments, and(eq(segments.attachmentId, attachments.id), ne(segments.state, 'terminated')))
      .leftJoin(handoffs, eq(handoffs.id, segments.handoffId))
      .leftJoin(regionalNetworks, eq(regionalNetworks.id, segments.regionalNetworkId))
      .where(and(inArray(attachments.circuitId, ids), isNull(attachments.releasedAt)))
      .orderBy(asc(attachments.id));
    const vlanIds = ends.flatMap((e) => (e.vlanId ? [e.vlanId] : []));
    const inner = vlanIds.length
      ? await db.select().from(cvlans).where(inArray(cvlans.vlanId, vlanIds)).orderBy(asc(cvlans.cvid))
      : [];
    const cs = await db.select().from(circuits).where(inArray(circuits.id, ids));
    const vs = await db.select().from(vpns).where(inArray(vpns.circuitId, ids));
    const rds = vs.length
      ? await db
          .select()
          .from(vrfs)
          .where(
            and(
              inArray(
                vrfs.vpnId,
                vs.map((v) => v.id),
              ),
              eq(vrfs.deviceId, deviceId),
            ),
          )
      : [];
    const rts = vs.length
      ? await db
          .select()
          .from(routeTargets)
          .where(
            inArray(
              routeTargets.vpnId,
              vs.map((v) => v.id),
            ),
          )
      : [];
    for (const c of cs) {
      const vpn = vs.find((v) => v.circuitId === c.id);
      const mine = ends.filter((e) => e.a.circuitId === c.id);
      const vidOf = (e: (typeof ends)[number]) => e.vid ?? e.a.portVid;
      const toEnd = (e: (typeof ends)[number]): SheetEnd => {
        const far = mine.find((o) => o.a.path === e.a.path && o.a.id !== e.a.id);
        return {
          path: e.a.path as SheetEnd['path'],
          site: `${e.short} / ${e.site}`,
          port: { name: e.port.name, speedMbps: e.port.speedMbps, mode: e.port.mode, l2Mtu: e.port.l2Mtu },
          vid: vidOf(e),
          cvlans: inner.filter((x) => x.vlanId === e.vlanId).map((x) => x.cvid),
          tags: e.a.tags,
          segment:
            e.seg && e.rn
              ? {
                  regionalNetwork: e.rn.name,
                  operator: e.rn.operator,
                  handoff: e.handoff ?? '',
                  providerCircuitId: e.seg.providerCircuitId,
                  operatorReference: e.seg.operatorReference,
                  localVid: e.seg.localVid,
                  remoteVid: e.seg.remoteVid,
                  l2Mtu: e.seg.l2Mtu,
                  extraTags: e.seg.extraTags,
                  state: e.seg.state,
                }
              : null,
          remote: far
            ? {
                device: far.device.name,
                routerId: far.device.routerId.replace(/\/32$/, ''),
                port: far.port.name,
                vid: vidOf(far),
                site: `${far.short} / ${far.site}`,
              }
            : null,
        };
      };
      services.push({
        reference: circuitReference(c.number),
        name: c.name,
        technology: c.technology as Technology,
        state: c.state,
        bandwidthMbps: c.bandwidthMbps,
        payloadMtu: c.payloadMtu ?? 1500,
        rd: rds.find((r) => r.vpnId === vpn?.id)?.rd ?? null,
        routeTargets: rts
          .filter((r) => r.vpnId === vpn?.id)
          .map((r) => r.value)
          .sort(),
        ends: mine.filter((e) => e.port.deviceId === deviceId).map(toEnd),
      });
    }
  }
  return { device: { name: d.name, pop: d.pop, routerId: d.routerId.replace(/\/32$/, '') }, services };
}

export async function provisioningSheet(db: DbOrTx, deviceId: string): Promise<string | undefined> {
  const input = await sheetInput(db, deviceId);
  return input ? renderSheet(input) : undefined;
}
