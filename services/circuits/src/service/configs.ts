import { createHash } from 'node:crypto';
import { recordChange } from '@guichet/audit';
import { PolicyRefusalError, type RequestContext } from '@guichet/core';
import { and, asc, type Db, type DbOrTx, desc, eq, inArray, isNull, one } from '@guichet/db';
import { institutions, sites } from '@guichet/membership';
import { birdParse } from '../bird/check.js';
import {
  type PeConfigInput,
  renderPeConfig,
  type SiteSessionInput,
  type VpnInput,
} from '../bird/pe-config.js';
import type { CircuitsConfig } from '../config.js';
import { birdName, circuitReference } from '../model.js';
import {
  attachments,
  circuits,
  deviceConfigs,
  devices,
  endpoints,
  ports,
  routeTargets,
  vpns,
  vrfs,
} from '../tables.js';

/**
 * The BIRD configuration of each PE, from the database: every L3VPN circuit being provisioned,
 * active or disabled with a live site on the device. Rendered and checked by `bird -p` OUTSIDE
 * any transaction; then stored in a short one that locks the device row, renders again and
 * stores only if the text is the one BIRD checked (else the state moved: the step is retried).
 */

const host = (inet: string | null) => (inet ?? '').replace(/\/(32|128)$/, '');

export async function peInput(db: DbOrTx, deviceId: string, cfg: CircuitsConfig): Promise<PeConfigInput> {
  const [d] = await db.select().from(devices).where(eq(devices.id, deviceId));
  if (!d) throw new Error(`device ${deviceId} vanished`);
  const rows = await db
    .select({
      a: attachments,
      c: circuits,
      vpnId: vpns.id,
      rd: vrfs.rd,
      site: sites.name,
      short: institutions.shortName,
      hub: endpoints.hub,
    })
    .from(attachments)
    .innerJoin(ports, eq(ports.id, attachments.portId))
    .innerJoin(circuits, eq(circuits.id, attachments.circuitId))
    .innerJoin(vpns, eq(vpns.circuitId, circuits.id))
    .innerJoin(vrfs, and(eq(vrfs.vpnId, vpns.id), eq(vrfs.deviceId, ports.deviceId)))
    .innerJoin(endpoints, eq(endpoints.id, attachments.endpointId))
    .innerJoin(sites, eq(sites.id, endpoints.siteId))
    .innerJoin(institutions, eq(institutions.id, endpoints.institutionId))
    .where(
      and(
        eq(ports.deviceId, deviceId),
        isNull(attachments.releasedAt),
        eq(circuits.technology, 'l3vpn'),
        inArray(circuits.state, ['provisioning', 'active', 'disabled']),
      ),
    )
    .orderBy(asc(circuits.number), asc(attachments.id));
  const vpnIds = [...new Set(rows.map((r) => r.vpnId))];
  const rts = vpnIds.length
    ? await db.select().from(routeTargets).where(inArray(routeTargets.vpnId, vpnIds))
    : [];
  const byVpn = new Map<string, VpnInput>();
  for (const r of rows) {
    const ref = circuitReference(r.c.number);
    let vpn = byVpn.get(r.vpnId);
    if (!vpn) {
      const mine = rts.filter((t) => t.vpnId === r.vpnId);
      const both = mine.find((t) => t.role === 'both');
      vpn = {
        name: birdName(ref),
        label: ascii(`${ref} ${r.c.name}`),
        rd: r.rd,
        routeTargets: both
          ? { both: both.value }
          : {
              hub: mine.find((t) => t.role === 'hub')?.value ?? '',
              spoke: mine.find((t) => t.role === 'spoke')?.value ?? '',
            },
        sites: [],
      };
      byVpn.set(r.vpnId, vpn);
    }
    const session: SiteSessionInput = {
      name: birdName('s', ref, r.a.id.slice(0, 8)),
      label: ascii(`${r.short} / ${r.site}`),
      localAddress: host(r.a.bgpLocal),
      peerAddress: host(r.a.bgpPeer),
      peerAsn: r.a.peerAsn ?? 0,
      importLimit: r.a.prefixLimit ?? 0,
      ...(both(rts, r.vpnId) ? {} : { role: r.hub ? 'hub' : 'spoke' }),
      ...(r.c.state === 'disabled' ? { disabled: true } : {}),
      ...(r.a.bgpMultihop ? { multihop: true } : {}),
      ...(r.a.bgpLocalPort ? { localPort: r.a.bgpLocalPort } : {}),
      ...(r.a.bgpPeerPort ? { peerPort: r.a.bgpPeerPort } : {}),
    };
    vpn.sites.push(session);
  }
  return {
    device: { name: d.name, routerId: host(d.routerId), asn: cfg.CIRCUITS_ASN },
    vpns: [...byVpn.values()],
  };
}

const both = (rts: { vpnId: string; role: string }[], vpnId: string) =>
  rts.some((t) => t.vpnId === vpnId && t.role === 'both');

/** Config descriptions are ASCII: `Université` becomes `Universite`, quotes go. */
function ascii(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|"/g, '')
    .trim();
}

export interface StoredConfig {
  deviceId: string;
  version: number;
  hash: string;
  changed: boolean;
}

/** Renders, checks (no transaction open) and stores the configuration of each PE. */
export async function generateDeviceConfigs(
  db: Db,
  ctx: RequestContext,
  cfg: CircuitsConfig,
  deviceIds: readonly string[],
  requestId: string | null,
): Promise<StoredConfig[]> {
  const out: StoredConfig[] = [];
  for (const deviceId of [...new Set(deviceIds)].sort()) {
    const text = renderPeConfig(await peInput(db, deviceId, cfg));
    const verdict = await birdParse(text, cfg.CIRCUITS_BIRD);
    if (!verdict.ok) {
      throw new PolicyRefusalError(
        'circuits.bird-check',
        `bird -p refused the configuration of the PE: ${verdict.errors[0] ?? ''}`,
      );
    }
    const hash = createHash('sha256').update(text).digest('hex');
    out.push(
      await db.transaction(async (tx) => {
        await tx.select({ id: devices.id }).from(devices).where(eq(devices.id, deviceId)).for('update');
        const now = renderPeConfig(await peInput(tx, deviceId, cfg));
        if (now !== text)
          throw new Error('the PE’s circuits changed while its configuration was checked: run again');
        const [last] = await tx
          .select()
          .from(deviceConfigs)
          .where(eq(deviceConfigs.deviceId, deviceId))
          .orderBy(desc(deviceConfigs.version))
          .limit(1);
        if (last?.hash === hash) return { deviceId, version: last.version, hash, changed: false };
        const row = one(
          await tx
            .insert(deviceConfigs)
            .values({
              deviceId,
              version: (last?.version ?? 0) + 1,
              text,
              hash,
              birdOk: true,
              requestId,
              createdAt: ctx.clock.now(),
            })
            .returning({ version: deviceConfigs.version }),
        );
        await recordChange(tx, ctx, {
          action: 'circuits.generateConfig',
          objectType: 'Device',
          objectId: deviceId,
          after: { version: row.version, hash },
        });
        return { deviceId, version: row.version, hash, changed: true };
      }),
    );
  }
  return out;
}

export async function latestDeviceConfig(db: DbOrTx, deviceId: string) {
  const [row] = await db
    .select()
    .from(deviceConfigs)
    .where(eq(deviceConfigs.deviceId, deviceId))
    .orderBy(desc(deviceConfigs.version))
    .limit(1);
  return row;
}

/** Devices with an L3VPN VRF (PEs whose configuration Guichet generates). */
export async function l3Devices(db: DbOrTx, deviceIds: readonly string[]): Promise<string[]> {
  if (deviceIds.length === 0) return [];
  const rows = await db
    .selectDistinct({ deviceId: ports.deviceId })
    .from(attachments)
    .innerJoin(ports, eq(ports.id, attachments.portId))
    .innerJoin(circuits, eq(circuits.id, attachments.circuitId))
    .where(and(inArray(ports.deviceId, [...deviceIds]), eq(circuits.technology, 'l3vpn')));
  const withConfig = await db
    .selectDistinct({ deviceId: deviceConfigs.deviceId })
    .from(deviceConfigs)
    .where(inArray(deviceConfigs.deviceId, [...deviceIds]));
  return [...new Set([...rows, ...withConfig].map((r) => r.deviceId))].sort();
}
