import { formatPoint, institutionType, type LangText, sortLang } from '../model.js';
import type { ContactJson } from '../tables.js';

/**
 * The eduroam database v2 documents (institution.json, ro.json), pure: from the facts the
 * service gathers to the JSON the eduroam database harvests (reference/eduroam.md §1, the
 * CESNET JSON encoding). Deterministic (sorted, `ts` from the data, not the clock).
 *
 * Views. `full` is for the operator's submission to the eduroam database: every contact with
 * its privacy flag. `public` is what anyone may read (the anonymous export endpoint, the public
 * site list): a private contact never appears in it; an institution left without a public
 * contact shows the NRO's service contact instead (the schema wants one).
 */

export type View = 'full' | 'public';

export interface ContactFacts extends ContactJson {}

export interface SiteFacts {
  id: string;
  names: LangText[];
  street: LangText[];
  city: LangText[];
  lon: number;
  lat: number;
  ssid: string;
  encryption: string[];
  tags: string[];
  accessPoints: number;
  wiredPorts: number;
  kind: number;
  venue: string | null;
  availability: number;
  operationHours: string | null;
  operatorName: string | null;
  infoUrls: LangText[];
  contact: ContactFacts | null;
  production: boolean;
  updatedAt: Date;
}

export interface InstitutionFacts {
  id: string;
  name: string;
  names: LangText[] | null;
  mainSite: { address: string; city: string } | null;
  realms: string[];
  servers: { name: string; transport: 'udp' | 'tls' }[];
  contact: ContactFacts | null;
  venue: string | null;
  point: { lon: number; lat: number } | null;
  infoUrls: LangText[];
  policyUrls: LangText[];
  production: boolean;
  sites: SiteFacts[];
  /** The latest change of anything exported for it. */
  updatedAt: Date;
}

export interface RoFacts {
  roId: string;
  country: string;
  name: string;
  contact: ContactFacts;
  servers: string[];
  infoUrl: string;
  policyUrl: string;
  updatedAt: Date;
}

const lang = (list: readonly LangText[]) => sortLang(list).map((t) => ({ lang: t.lang, data: t.data }));
/** Proper names and postal addresses are the same text in every language: given as en and fr. */
const same = (data: string) => [
  { lang: 'en', data },
  { lang: 'fr', data },
];
const ts = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function contactOut(c: ContactFacts) {
  return {
    name: c.name,
    email: c.email,
    phone: c.phone,
    type: c.kind === 'service' ? 1 : 0,
    privacy: c.public ? 1 : 0,
  };
}

function address(street: readonly LangText[], city: readonly LangText[]) {
  const cities = new Map(city.map((c) => [c.lang, c.data]));
  const fallback = cities.get('en') ?? city[0]?.data ?? '';
  return lang(street).map((s) => ({
    street: s,
    city: { lang: s.lang, data: cities.get(s.lang) ?? fallback },
  }));
}

function contactsFor(c: ContactFacts | null, view: View, ro: RoFacts, required: boolean) {
  const visible = c && (view === 'full' || c.public) ? [contactOut(c)] : [];
  if (visible.length || !required) return visible;
  return [contactOut({ ...ro.contact, kind: 'service', public: true })];
}

function location(s: SiteFacts, view: View, ro: RoFacts) {
  return {
    locationid: s.id.replace(/-/g, ''),
    coordinates: formatPoint(s),
    stage: s.production ? 1 : 0,
    type: s.kind,
    loc_name: lang(s.names),
    address: address(s.street, s.city),
    ...(s.venue ? { location_type: s.venue } : {}),
    ...(s.contact ? { contact: contactsFor(s.contact, view, ro, false) } : {}),
    SSID: s.ssid,
    ...(s.operatorName ? { operator_name: s.operatorName } : {}),
    enc_level: [...s.encryption].sort().join(','),
    AP_no: s.accessPoints,
    wired_no: s.wiredPorts,
    ...(s.tags.length ? { tag: [...s.tags].sort().join(',') } : {}),
    availability: s.availability,
    ...(s.operationHours ? { operation_hours: s.operationHours } : {}),
    ...(s.infoUrls.length ? { info_URL: lang(s.infoUrls) } : {}),
    ts: ts(s.updatedAt),
  };
}

export function institutionDocument(facts: readonly InstitutionFacts[], ro: RoFacts, view: View) {
  const institution = [...facts]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .flatMap((i) => {
      const type = institutionType(i.realms.length, i.sites.length);
      if (!type) return [];
      return [
        {
          instid: i.id.replace(/-/g, ''),
          ROid: ro.roId,
          type,
          stage: i.production ? 1 : 0,
          ...(i.realms.length ? { inst_realm: [...i.realms].sort() } : {}),
          ...(i.servers.length
            ? {
                server: [...i.servers]
                  .sort((a, b) => (a.name < b.name ? -1 : 1))
                  .map((s) => ({ server_name: s.name, server_type: s.transport === 'tls' ? 1 : 0 })),
              }
            : {}),
          inst_name: i.names?.length ? lang(i.names) : same(i.name),
          ...(i.mainSite ? { address: address(same(i.mainSite.address), same(i.mainSite.city)) } : {}),
          ...(i.point ? { coordinates: formatPoint(i.point) } : {}),
          ...(i.venue ? { inst_type: i.venue } : {}),
          contact: contactsFor(i.contact, view, ro, true),
          ...(i.infoUrls.length ? { info_URL: lang(i.infoUrls) } : {}),
          ...(i.policyUrls.length ? { policy_URL: lang(i.policyUrls) } : {}),
          ts: ts(i.updatedAt),
          ...(i.sites.length
            ? {
                location: [...i.sites]
                  .sort((a, b) => (a.id < b.id ? -1 : 1))
                  .map((s) => location(s, view, ro)),
              }
            : {}),
        },
      ];
    });
  return { schema_version: 2 as const, institutions: { institution } };
}

export function roDocument(ro: RoFacts) {
  return {
    schema_version: 2 as const,
    ROs: {
      RO: [
        {
          ROid: ro.roId,
          country: ro.country,
          stage: 1,
          org_name: same(ro.name),
          ...(ro.servers.length
            ? { server: [...ro.servers].sort().map((s) => ({ server_name: s, server_type: 0 })) }
            : {}),
          contact: [contactOut({ ...ro.contact, kind: 'service', public: true })],
          info_URL: same(ro.infoUrl),
          policy_URL: same(ro.policyUrl),
          ts: ts(ro.updatedAt),
        },
      ],
    },
  };
}
