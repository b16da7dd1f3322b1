import { join } from 'node:path';
import type { Db } from '@guichet/db';
import { eq, one } from '@guichet/db';
import { checkZoneText, publishToKnot, verifyDelegationServed } from '@guichet/dns';
import { PRD_ZONE } from '../prd.js';
import { renderPrdVersion } from '../service/prd.js';
import { domains } from '../tables.js';

/**
 * Publishing `.prd.fr` into the operator's Knot: a new version rendered from the database
 * (short transaction), checked by named-checkzone, swapped into Knot's zone directory and
 * reloaded (@guichet/dns), all outside any transaction; then verified by querying the server.
 */
export interface PrdPublisher {
  publish(db: Db): Promise<{ serial: number }>;
  /** Proves the server serves the name's delegation at (at least) `serial`. */
  verify(db: Db, domainId: string, serial: number): Promise<void>;
}

/** `192.0.2.1`, `192.0.2.1:5353`, `[2001:db8::1]:5353` or a bare IPv6 address. */
export function parseServer(text: string): { address: string; port: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) return { address: String(v6[1]), port: Number(v6[2] ?? 53) };
  const parts = text.split(':');
  if (parts.length === 2) return { address: String(parts[0]), port: Number(parts[1]) };
  return { address: text, port: 53 };
}

export function prdPublisher(config: {
  DOMAINS_PRD_MNAME: string;
  DOMAINS_PRD_RNAME: string;
  DOMAINS_PRD_NAMESERVERS: readonly string[];
  DOMAINS_PRD_SERVER: string;
  DOMAINS_PRD_KNOT_CONF?: string | undefined;
  DOMAINS_PRD_ZONE_DIR?: string | undefined;
}): PrdPublisher {
  const server = parseServer(config.DOMAINS_PRD_SERVER);
  return {
    async publish(db) {
      const v = await renderPrdVersion(db, {
        mname: config.DOMAINS_PRD_MNAME,
        rname: config.DOMAINS_PRD_RNAME,
        nameservers: config.DOMAINS_PRD_NAMESERVERS,
      });
      const check = await checkZoneText(PRD_ZONE, v.text);
      if (!check.ok)
        throw new Error(`${PRD_ZONE} version ${v.serial} refused by named-checkzone: ${check.output}`);
      if (config.DOMAINS_PRD_KNOT_CONF && config.DOMAINS_PRD_ZONE_DIR) {
        await publishToKnot(
          {
            zoneFile: join(config.DOMAINS_PRD_ZONE_DIR, `${PRD_ZONE}.zone`),
            conf: config.DOMAINS_PRD_KNOT_CONF,
          },
          PRD_ZONE,
          v.text,
        );
      }
      return { serial: v.serial };
    },
    async verify(db, domainId, serial) {
      const row = one(await db.select().from(domains).where(eq(domains.id, domainId)));
      await verifyDelegationServed(server, PRD_ZONE, serial, {
        zone: row.name,
        nameservers: row.state === 'active' ? row.nameservers : [],
        ds: row.state === 'active' ? row.ds : [],
      });
    },
  };
}
