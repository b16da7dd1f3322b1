import { domainToUnicode } from 'node:url';

/**
 * The eduroam vocabulary, pure: realms and how they cover one another, look-alike skeletons,
 * the eduroam database v2 enumerations (reference/eduroam.md §1, after grnet/djnro
 * `edumanage/models.py`), language-tagged text, coordinates and the country's bounds, and how
 * each eduroam object maps onto the common resource lifecycle.
 */

// ---------------------------------------------------------------------------------------------
// Realms

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * A realm as written by people (`Univ-A.Example.`) in its one stored form (`univ-a.example`):
 * lower case, no trailing dot, letters/digits/hyphens only (no underscore, no `@`), two labels
 * at least, an alphabetic or IDNA top-level label. Undefined when it is not a realm.
 */
export function normaliseRealm(text: string): string | undefined {
  const t = text.trim().toLowerCase().replace(/\.$/, '');
  if (t.length < 3 || t.length > 253) return undefined;
  const labels = t.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return undefined;
  if (!TLD.test(labels[labels.length - 1] as string)) return undefined;
  // `ab--c` is reserved for IDNA (`xn--`); other double hyphens in the third position are not names.
  if (labels.some((l) => /^..--/.test(l) && !l.startsWith('xn--'))) return undefined;
  return t;
}

/** `lab.univ-a.example` → `example.univ-a.lab.`: ancestors become string prefixes. */
export function realmKey(realm: string): string {
  return `${realm.split('.').reverse().join('.')}.`;
}

/** The keys a realm answers for: itself, or itself and every name under it. */
export interface Coverage {
  lower: string;
  upper: string;
  /** Exact realms are the single point [key, key]; a subtree is [key, key with '.'→'/' ). */
  upperInclusive: boolean;
}

export function coverageOf(key: string, subrealms: boolean): Coverage {
  // '/' follows '.' in byte order: [k, k/) holds exactly the strings that start with k.
  return subrealms
    ? { lower: key, upper: `${key.slice(0, -1)}/`, upperInclusive: false }
    : { lower: key, upper: key, upperInclusive: true };
}

/** The PostgreSQL range literal of a coverage (the realm columns' range type is text, collation C). */
export function coverageLiteral(c: Coverage): string {
  const q = (s: string) => `"${s.replace(/["\\]/g, (m) => `\\${m}`)}"`;
  return `[${q(c.lower)},${q(c.upper)}${c.upperInclusive ? ']' : ')'}`;
}

export function coversRealm(holder: { realm: string; subrealms: boolean }, realm: string): boolean {
  return holder.realm === realm || (holder.subrealms && realm.endsWith(`.${holder.realm}`));
}

// Letters from other scripts that render like Latin ones (Unicode confusables, the common subset).
const CONFUSABLE: Record<string, string> = {
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  һ: 'h',
  ԁ: 'd',
  ɡ: 'g',
  ӏ: 'l',
  ο: 'o',
  α: 'a',
  ν: 'v',
  ρ: 'p',
  τ: 't',
  ι: 'i',
  κ: 'k',
  ε: 'e',
  ı: 'i',
  ℓ: 'l',
};
// Then what stays confusable inside ASCII, longest first.
const ASCII_LOOKALIKES: [RegExp, string][] = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
  [/cl/g, 'd'],
  [/0/g, 'o'],
  [/[1i|]/g, 'l'],
  [/5/g, 's'],
  [/-/g, ''],
];

/**
 * What a realm looks like to a person: IDNA labels decoded, compatibility forms folded (NFKC),
 * accents dropped, confusable letters of other scripts mapped to Latin, then rn→m, vv→w, cl→d,
 * 0→o, 1/i→l, 5→s and hyphens removed. Two realms of different institutions with overlapping
 * skeletons are look-alikes (`univ-a.example` / `univ-a.examp1e` / `univ-а.example` in
 * Cyrillic); `univ-lyon1` and `univ-lyon2` stay apart.
 */
export function skeletonOf(realm: string): string {
  return realm
    .split('.')
    .map((label) => {
      const unicode = label.startsWith('xn--') ? domainToUnicode(label) || label : label;
      let s = unicode.normalize('NFKD').replace(/\p{M}/gu, '').normalize('NFKC').toLowerCase();
      s = [...s].map((ch) => CONFUSABLE[ch] ?? ch).join('');
      for (const [re, to] of ASCII_LOOKALIKES) s = s.replace(re, to);
      return s;
    })
    .join('.');
}

/**
 * The realm as FreeRADIUS regex realms match it (after the exact realm): anchored at both ends,
 * dots escaped with ONE backslash (3.2.1 never matches the doubled form), one or more labels
 * in front — so `evil-univ-a.example` is not a subrealm of `univ-a.example`.
 */
export function subrealmRegex(realm: string): string {
  // A stored realm holds only [a-z0-9.-]: the dot is the one character to escape.
  return `^([a-z0-9-]+\\.)+${realm.replace(/\./g, '\\.')}$`;
}

// ---------------------------------------------------------------------------------------------
// eduroam database v2 enumerations

export const ENC_LEVELS = ['WPA/TKIP', 'WPA/AES', 'WPA2/TKIP', 'WPA2/AES', 'WPA3/AES'] as const;
export type EncLevel = (typeof ENC_LEVELS)[number];
/** What the eduroam Service Definition lets an SP broadcast: AES with WPA2 or WPA3, never TKIP. */
export const ALLOWED_ENC_LEVELS: readonly EncLevel[] = ['WPA2/AES', 'WPA3/AES'];

export const LOCATION_TAGS = ['port_restrict', 'transp_proxy', 'IPv6', 'NAT', 'HS2.0'] as const;
export type LocationTag = (typeof LOCATION_TAGS)[number];

/** `type` of a location: 0 single spot, 1 area, 2 mobile. */
export const LOCATION_KINDS = ['spot', 'area', 'mobile'] as const;
export type LocationKind = (typeof LOCATION_KINDS)[number];

/** `availability`: 0 no restriction, 1 physical access restricted. */
export const AVAILABILITIES = ['unrestricted', 'physical_restriction'] as const;
export type Availability = (typeof AVAILABILITIES)[number];

export const SSID = 'eduroam';

/** IEEE 802.11u venue `group,type` (`3,3` university): groups 0–11, types 0–15. */
export function isVenue(text: string): boolean {
  const m = /^(\d{1,2}),(\d{1,2})$/.exec(text);
  return m !== null && Number(m[1]) <= 11 && Number(m[2]) <= 15;
}

/** Institution `type` in the eduroam database: realms make an IdP, sites an SP. */
export function institutionType(realms: number, sites: number): 'IdP' | 'SP' | 'IdP+SP' | null {
  if (realms > 0 && sites > 0) return 'IdP+SP';
  if (realms > 0) return 'IdP';
  if (sites > 0) return 'SP';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Language-tagged text

/** `{ lang, data }` as the database's JSON has it; every list must hold an `en` entry. */
export interface LangText {
  lang: string;
  data: string;
}

export const LANG = /^[a-z]{2,3}$/;

/** English first, then the others in code order: a stable export. */
export function sortLang<T extends { lang: string }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) =>
    a.lang === 'en' ? -1 : b.lang === 'en' ? 1 : a.lang < b.lang ? -1 : a.lang > b.lang ? 1 : 0,
  );
}

// ---------------------------------------------------------------------------------------------
// Coordinates and the country

/** [minLon, minLat, maxLon, maxLat]. */
export type Box = readonly [number, number, number, number];

/**
 * Where a French NREN's sites can be: metropolitan France with Corsica, and the overseas
 * territories whose universities it connects. Other countries give EDUROAM_BOUNDS.
 */
export const COUNTRY_BOUNDS: Record<string, readonly Box[]> = {
  FR: [
    [-5.5, 41.2, 9.8, 51.2], // metropolitan France and Corsica
    [-61.9, 15.8, -60.9, 16.6], // Guadeloupe
    [-63.2, 17.85, -62.75, 18.15], // Saint-Martin, Saint-Barthélemy
    [-61.3, 14.35, -60.75, 14.95], // Martinique
    [-54.7, 2.1, -51.5, 5.9], // Guyane
    [55.2, -21.45, 55.9, -20.85], // La Réunion
    [44.9, -13.1, 45.35, -12.6], // Mayotte
    [-56.5, 46.7, -56.1, 47.2], // Saint-Pierre-et-Miquelon
    [163.5, -22.8, 168.2, -19.5], // Nouvelle-Calédonie
    [-154.8, -28.0, -134.0, -7.8], // Polynésie française
    [-178.3, -14.4, -176.1, -13.1], // Wallis-et-Futuna
  ],
};

export interface Point {
  lon: number;
  lat: number;
}

export const inBoxes = (p: Point, boxes: readonly Box[]): boolean =>
  boxes.some(([w, s, e, n]) => p.lon >= w && p.lon <= e && p.lat >= s && p.lat <= n);

/** The database's `"lon,lat"` — longitude first — with at most 6 decimals (≈ 0.1 m). */
export function formatPoint(p: Point): string {
  const f = (v: number) => String(Number(v.toFixed(6)));
  return `${f(p.lon)},${f(p.lat)}`;
}

// ---------------------------------------------------------------------------------------------
// Lifecycles

export const REALM_STATES = ['pending', 'active', 'removed'] as const;
export type RealmState = (typeof REALM_STATES)[number];
export const SERVER_STATES = ['active', 'removed'] as const;
export type ServerState = (typeof SERVER_STATES)[number];
export const SITE_STATES = ['active', 'removed'] as const;
export type SiteState = (typeof SITE_STATES)[number];
export const PROBE_STATES = ['unknown', 'up', 'down'] as const;
export type ProbeState = (typeof PROBE_STATES)[number];

export type ResourceState = 'requested' | 'provisioning' | 'active' | 'disabled' | 'terminated';

/** A realm waiting for its DNS proof is requested; a proved one active; a removed one terminated. */
export const realmResourceState = (s: RealmState): ResourceState =>
  s === 'pending' ? 'requested' : s === 'active' ? 'active' : 'terminated';

/** A server is provisioning until its first answered probe, then active (down: disabled). */
export function serverResourceState(s: ServerState, probe: ProbeState, everUp: boolean): ResourceState {
  if (s === 'removed') return 'terminated';
  if (!everUp) return 'provisioning';
  return probe === 'down' ? 'disabled' : 'active';
}

export const siteResourceState = (s: SiteState): ResourceState => (s === 'active' ? 'active' : 'terminated');

// ---------------------------------------------------------------------------------------------
// Probes

/** Consecutive failed Status-Server probes after which a server is down (a ticket opens). */
export const DOWN_AFTER = 3;

export interface ProbeCounters {
  state: ProbeState;
  consecutiveFailures: number;
}

/**
 * The server's probe state after one more result: up at the first answer, down at the
 * DOWN_AFTER-th failure in a row (never earlier: one lost packet is not an outage).
 */
export function nextProbeState(
  before: ProbeCounters,
  ok: boolean,
): ProbeCounters & { turnedDown: boolean; recovered: boolean } {
  if (ok)
    return { state: 'up', consecutiveFailures: 0, turnedDown: false, recovered: before.state === 'down' };
  const consecutiveFailures = before.consecutiveFailures + 1;
  const down = consecutiveFailures >= DOWN_AFTER;
  return {
    state: down ? 'down' : before.state,
    consecutiveFailures,
    turnedDown: down && before.state !== 'down',
    recovered: false,
  };
}

/** The words a timeout is reported with: RADIUS cannot tell the two apart (wrong secrets are dropped silently). */
export const TIMEOUT_MEANING = 'down or wrong secret';
