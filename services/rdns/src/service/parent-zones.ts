import { recordChange } from '@guichet/audit';
import {
  ConflictError,
  canWrite,
  type FieldIssue,
  ForbiddenError,
  hasStaffRole,
  type RequestContext,
  ValidationError,
} from '@guichet/core';
import { type DbOrTx, one, PG, pgError, sql, type Tx } from '@guichet/db';
import {
  formatPrefix,
  type Prefix,
  parseAddress,
  parseDomainName,
  parsePrefix,
  reverseZones,
} from '@guichet/net';
import { parentZones } from '../tables.js';

/**
 * The operator's parent zones as configuration: the NOC declares one by its prefix, the zone
 * name is derived from it. Two parent zones may nest (a /16 and a /24 inside it): a delegation
 * goes to the most specific one covering it (`createDelegation`). The same zone twice is a
 * conflict, held by the unique index on lower(zone) — never by a look-up before the insert.
 */

export type ParentZoneRow = typeof parentZones.$inferSelect;

export interface CreateParentZoneInput {
  /** An IPv4 /8, /16 or /24, or an IPv6 prefix on a nibble boundary. */
  prefix: string;
  /** The operator's authoritative server that serves the zone (where publication is verified). */
  serverAddress: string;
  /** Default 53. */
  serverPort?: number | null;
  /** SOA MNAME. */
  mname: string;
  /** SOA RNAME, the mailbox written as a domain name (`hostmaster.example.fr`). */
  rname: string;
  /** The zone's apex NS: at least one, distinct. */
  nameservers: string[];
}

const ZONE_KEY = 'rdns_parent_zones_zone_key';
const V4_LENGTHS = [8, 16, 24];

/** Parent zones are the NOC's configuration (admin stands in); a read-only credential never writes. */
function mustConfigure(ctx: RequestContext): void {
  if (!hasStaffRole(ctx.actor, 'noc') || !canWrite(ctx.actor)) {
    throw new ForbiddenError('only the NOC configures parent zones');
  }
}

/** Whether the prefix is exactly one whole reverse zone a parent zone can be. */
function wholeZoneError(p: Prefix): string | null {
  const text = formatPrefix(p);
  if (p.family === 4) {
    if (V4_LENGTHS.includes(p.length)) return null;
    const n = p.length < 24 ? reverseZones(p).length : 0;
    const why = n > 1 ? ` (it spans ${n} zones)` : p.length > 24 ? ' (below /24 is an RFC 2317 range)' : '';
    return `${text} is not one whole reverse zone${why}: an IPv4 parent zone is a /8, /16 or /24`;
  }
  if (p.length % 4 === 0 && p.length >= 4 && p.length <= 124) return null;
  return `${text} is not one whole reverse zone: an IPv6 parent zone is on a nibble boundary (a multiple of 4, from /4 to /124)`;
}

interface ValidParentZone {
  zone: string;
  prefix: string;
  serverAddress: string;
  serverPort: number;
  mname: string;
  rname: string;
  nameservers: string[];
}

/** Every problem of the input at once, each at its field path under `input`. */
function validate(input: CreateParentZoneInput): ValidParentZone {
  const issues: FieldIssue[] = [];
  const at = <T>(path: (string | number)[], parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      issues.push(...(e.issues.length ? e.issues : [{ path, message: e.message }]));
      return undefined;
    }
  };

  let zone: string | undefined;
  let prefix: string | undefined;
  const p = at(['input', 'prefix'], () => parsePrefix(String(input.prefix), ['input', 'prefix']));
  if (p) {
    const why = wholeZoneError(p);
    const zones = why ? [] : reverseZones(p);
    const only = zones.length === 1 ? zones[0] : undefined;
    if (why || !only || (only.kind !== 'octet' && only.kind !== 'nibble')) {
      issues.push({
        path: ['input', 'prefix'],
        message: why ?? `${formatPrefix(p)} is not one reverse zone`,
      });
    } else {
      zone = only.zone;
      prefix = formatPrefix(p);
    }
  }

  const serverAddress = at(
    ['input', 'serverAddress'],
    () => parseAddress(String(input.serverAddress), ['input', 'serverAddress']).address,
  );
  const serverPort = input.serverPort ?? 53;
  if (!Number.isInteger(serverPort) || serverPort < 1 || serverPort > 65535) {
    issues.push({ path: ['input', 'serverPort'], message: 'a port is an integer from 1 to 65535' });
  }
  const mname = at(['input', 'mname'], () => parseDomainName(String(input.mname), ['input', 'mname']));
  const rname = at(['input', 'rname'], () => {
    if (String(input.rname).includes('@')) {
      throw ValidationError.field(
        ['input', 'rname'],
        `write the mailbox as a domain name (hostmaster.example.fr, not hostmaster@example.fr)`,
      );
    }
    return parseDomainName(String(input.rname), ['input', 'rname']);
  });

  const nameservers: string[] = [];
  if (!Array.isArray(input.nameservers) || input.nameservers.length === 0) {
    issues.push({ path: ['input', 'nameservers'], message: 'at least one name server' });
  } else {
    input.nameservers.forEach((text, i) => {
      const name = at(['input', 'nameservers', i], () =>
        parseDomainName(String(text), ['input', 'nameservers', i]),
      );
      if (name === undefined) return;
      if (nameservers.includes(name)) {
        issues.push({ path: ['input', 'nameservers', i], message: `${name} is listed twice` });
      } else {
        nameservers.push(name);
      }
    });
  }

  if (issues.length || !zone || !prefix || !serverAddress || !mname || !rname) {
    throw new ValidationError(issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), issues);
  }
  return { zone, prefix, serverAddress, serverPort, mname, rname, nameservers };
}

/** Declares one of the operator's parent zones. NOC; written with its change-log row, or not at all. */
export async function createParentZone(
  db: DbOrTx,
  ctx: RequestContext,
  input: CreateParentZoneInput,
): Promise<ParentZoneRow> {
  mustConfigure(ctx);
  const v = validate(input);
  try {
    return await (db as Tx).transaction(async (tx) => {
      const row = one(
        await tx
          .insert(parentZones)
          .values({ ...v, createdAt: ctx.clock.now() })
          .returning(),
      );
      await recordChange(tx, ctx, {
        action: 'rdns.createParentZone',
        objectType: 'ParentZone',
        objectId: row.id,
        after: row,
      });
      return row;
    });
  } catch (e) {
    const pg = pgError(e);
    // PGlite and postgres.js both name the index; any other violation is a bug, not a conflict.
    if (pg?.code === PG.uniqueViolation && pg.constraint === ZONE_KEY) {
      throw new ConflictError(`the parent zone ${v.zone} exists already`);
    }
    throw e;
  }
}

/** Every parent zone, IPv4 first, by prefix. */
export function listParentZones(db: DbOrTx): Promise<ParentZoneRow[]> {
  return db.select().from(parentZones).orderBy(sql`family(${parentZones.prefix})`, parentZones.prefix);
}
