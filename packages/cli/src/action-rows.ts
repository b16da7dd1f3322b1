import { integer } from './args.js';
import { CliError, EXIT } from './errors.js';
import type { Row } from './rows.js';

/**
 * `apply` rows of the kinds that are not filings: a ticket action (`kind: ticket`) and an
 * eduroam site declaration (`kind: eduroam-site`), turned into the bulk mutations' item inputs.
 * As for the other kinds, only the shape is checked here; the rules are the server's.
 */

const str = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));
const list = (v: unknown): unknown[] =>
  Array.isArray(v)
    ? v
    : v === undefined || v === null || v === ''
      ? []
      : String(v)
          .split(/[\s;]+/)
          .filter(Boolean);
const yes = (v: unknown) => v === true || /^(true|yes|1)$/i.test(String(v ?? ''));
const need = (v: unknown, what: string) => {
  const s = str(v);
  if (!s) throw new CliError(EXIT.USAGE, `${what} is required`);
  return s;
};

export const TICKET_ACTIONS = ['take', 'assign', 'release', 'comment', 'approve', 'return', 'reject'];

/** `{ ticket, action, staff?, body?, visible?, step?, reason? }` as a `TicketActionInput`. */
export function ticketActionInput(row: Row): Row {
  const action = need(row.action, 'action').toLowerCase();
  if (!TICKET_ACTIONS.includes(action))
    throw new CliError(EXIT.USAGE, `action: "${action}" is not one of ${TICKET_ACTIONS.join(', ')}`);
  const staffId = str(row.staff ?? row.staffId);
  const body = str(row.body);
  const step = str(row.step);
  const reason = str(row.reason);
  return {
    ticketId: need(row.ticket ?? row.ticketId, 'ticket'),
    action: action.toUpperCase(),
    ...(staffId ? { staffId } : {}),
    ...(body ? { body } : {}),
    ...(action === 'comment' ? { visibility: yes(row.visible) ? 'INSTITUTION' : 'INTERNAL' } : {}),
    ...(step ? { step } : {}),
    ...(reason ? { reason } : {}),
  };
}

/** A name in one language (`"Saclay lab"`, English) or several (`{ en: …, fr: … }`). */
function texts(v: unknown, what: string): { lang: string; data: string }[] {
  if (v && typeof v === 'object' && !Array.isArray(v))
    return Object.entries(v as Row).map(([lang, data]) => ({ lang, data: String(data) }));
  if (Array.isArray(v)) return v as { lang: string; data: string }[];
  return [{ lang: 'en', data: need(v, what) }];
}

const number = (v: unknown, what: string) => {
  const n = Number(need(v, what));
  if (!Number.isFinite(n)) throw new CliError(EXIT.USAGE, `${what}: "${String(v)}" is not a number`);
  return n;
};

/**
 * `{ institution, name, street, city, lon, lat, accessPoints, encryption?, … }` as a
 * `DeclareEduroamSiteItemInput`. Encryption defaults to WPA2/AES; `WPA3/AES` and `WPA3_AES`
 * are both understood (the eduroam database writes the first, GraphQL the second).
 */
export function eduroamSiteInput(row: Row): Row {
  const coords = (row.coordinates ?? {}) as Row;
  const encryption = list(row.encryption ?? 'WPA2_AES').map((e) => String(e).toUpperCase().replace('/', '_'));
  const tags = list(row.tags).map((t) => String(t).toUpperCase());
  const optional: Row = {};
  for (const f of ['venue', 'operationHours', 'operatorName', 'ssid'] as const) {
    const v = str(row[f]);
    if (v) optional[f] = v;
  }
  const kind = str(row.locationKind);
  const availability = str(row.availability);
  const membershipSiteId = str(row.membershipSite ?? row.membershipSiteId);
  return {
    institutionId: need(row.institution ?? row.institutionId, 'institution'),
    site: {
      name: texts(row.name, 'name'),
      street: texts(row.street, 'street'),
      city: texts(row.city, 'city'),
      coordinates: { lon: number(row.lon ?? coords.lon, 'lon'), lat: number(row.lat ?? coords.lat, 'lat') },
      encryption,
      accessPoints: integer(need(row.accessPoints, 'accessPoints'), 'accessPoints'),
      ...(str(row.wiredPorts) ? { wiredPorts: integer(String(row.wiredPorts), 'wiredPorts') } : {}),
      ...(tags.length ? { tags } : {}),
      ...(kind ? { kind: kind.toUpperCase() } : {}),
      ...(availability ? { availability: availability.toUpperCase() } : {}),
      ...(membershipSiteId ? { membershipSiteId } : {}),
      ...(row.production !== undefined && row.production !== '' ? { production: yes(row.production) } : {}),
      ...optional,
    },
  };
}
