import { toASCII, toUnicode } from 'tr46';

/**
 * The AFNIC naming charter, applied before anything else (fr-domains.md §3). Pure: the name as
 * typed (U-label or A-label, any case, with or without the trailing dot) → the registrable
 * name in both forms, or the list of rules it breaks.
 *
 * The label must be written only with a–z, 0–9, `-` and the 30 IDN letters of the charter, and
 * must survive the UTS #46 round trip (U-label → A-label → U-label, tr46, non-transitional, so
 * `ß` stays `ß`). The A-label is what the registry and the DNS see: it is the one whose length
 * counts (63 octets).
 */

/** The 30 letters the .fr charter adds to a–z (IDN general availability, 2012-07-03). */
export const IDN_LETTERS = 'àáâãäåæçèéêëìíîïñòóôõöœùúûüýÿß';

/** The zones the operator opens names in: `.fr` through AFNIC, `.prd.fr` run by the operator. */
export const ZONES = ['fr', 'prd.fr'] as const;
export type Zone = (typeof ZONES)[number];

export type CharterRule =
  | 'charter.empty'
  | 'charter.zone'
  | 'charter.characters'
  | 'charter.hyphen-edge'
  | 'charter.hyphen-34'
  | 'charter.length'
  | 'charter.uts46';

export interface CharterViolation {
  rule: CharterRule;
  message: string;
}

export interface CharterName {
  /** The name as the registry and the DNS see it: `xn--cole-9oa.fr`. */
  aName: string;
  /** The name as people read it: `école.fr`. */
  uName: string;
  /** The registrable label, A-label form (`xn--cole-9oa`). */
  aLabel: string;
  uLabel: string;
  zone: Zone;
  /** The label holds letters outside a–z (an internationalised name). */
  idn: boolean;
}

export type CharterResult = { ok: true; name: CharterName } | { ok: false; violations: CharterViolation[] };

const ALLOWED = new RegExp(`^[a-z0-9${IDN_LETTERS}-]+$`, 'u');
const NOT_ALLOWED = new RegExp(`[^a-z0-9${IDN_LETTERS}-]`, 'gu');

const UTS46 = {
  checkHyphens: true,
  checkBidi: true,
  checkJoiners: true,
  useSTD3ASCIIRules: true,
  transitionalProcessing: false,
} as const;

function splitZone(name: string): { label: string; zone: Zone } | CharterViolation {
  const parts = name.split('.');
  const zone = parts.slice(1).join('.');
  if (parts.length < 2 || !(ZONES as readonly string[]).includes(zone)) {
    return {
      rule: 'charter.zone',
      message: `${name}: one label directly under .fr or .prd.fr is expected (e.g. univ-exemple.fr)`,
    };
  }
  return { label: parts[0] ?? '', zone: zone as Zone };
}

/** Every rule the label breaks, on its U-label (characters, hyphens) and its A-label (length). */
function labelRules(uLabel: string, aLabel: string | null, typedAsA: boolean): CharterViolation[] {
  const out: CharterViolation[] = [];
  if (!ALLOWED.test(uLabel)) {
    const bad = [...new Set(uLabel.match(NOT_ALLOWED) ?? [])].map((c) => JSON.stringify(c)).join(', ');
    out.push({
      rule: 'charter.characters',
      message: `only a–z, 0–9, "-" and the 30 letters ${IDN_LETTERS} are allowed (found ${bad})`,
    });
  }
  if (uLabel.startsWith('-') || uLabel.endsWith('-')) {
    out.push({ rule: 'charter.hyphen-edge', message: 'a name may not start or end with "-"' });
  }
  // `--` in 3rd and 4th position is reserved for A-labels (`xn--`), which only a valid IDN has.
  if (uLabel.slice(2, 4) === '--' && !typedAsA) {
    out.push({
      rule: 'charter.hyphen-34',
      message: '"-" in both the 3rd and 4th positions is allowed only in a valid xn-- A-label',
    });
  }
  if (aLabel && Buffer.byteLength(aLabel, 'ascii') > 63) {
    out.push({
      rule: 'charter.length',
      message: `the label is ${aLabel.length} octets in its A-label form (${aLabel.slice(0, 20)}…); at most 63`,
    });
  }
  return out;
}

export function checkCharter(typed: string): CharterResult {
  const raw = typed.trim().replace(/\.$/, '');
  if (raw === '')
    return { ok: false, violations: [{ rule: 'charter.empty', message: 'a name is required' }] };
  // UTS #46 mapping (case folding, NFC) without validation: the charter's rules below name what
  // is wrong more precisely than "invalid IDN".
  const mapped = toUnicode(raw, { useSTD3ASCIIRules: false, transitionalProcessing: false }).domain;
  const lower = raw.toLowerCase();
  const split = splitZone(lower.startsWith('xn--') ? lower : mapped);
  if ('rule' in split) return { ok: false, violations: [split] };
  const typedLabel = lower.split('.')[0] ?? '';
  const typedAsA = typedLabel.startsWith('xn--');
  if (typedAsA && typedLabel.slice(2, 4) === '--' && !/^[a-z0-9-]+$/.test(typedLabel)) {
    return { ok: false, violations: [{ rule: 'charter.characters', message: 'an A-label is ASCII only' }] };
  }
  const decoded = typedAsA ? toUnicode(typedLabel, UTS46) : { domain: split.label, error: false };
  if (decoded.error) {
    return {
      ok: false,
      violations: [
        { rule: 'charter.uts46', message: `${typedLabel} is not a valid A-label (Punycode/UTS #46)` },
      ],
    };
  }
  const uLabel = decoded.domain;
  // Length is judged on the A-label even when the other checks fail, without validation.
  const aLoose = toASCII(uLabel, { useSTD3ASCIIRules: false, checkHyphens: false, verifyDNSLength: false });
  const violations = labelRules(uLabel, aLoose, typedAsA);
  if (uLabel.length === 0) violations.push({ rule: 'charter.empty', message: 'the label is empty' });
  if (violations.length) return { ok: false, violations };

  const aLabel = toASCII(uLabel, { ...UTS46, verifyDNSLength: true });
  const back = aLabel === null ? null : toUnicode(aLabel, UTS46);
  if (
    aLabel === null ||
    !back ||
    back.error ||
    back.domain !== uLabel ||
    (typedAsA && aLabel !== typedLabel)
  ) {
    return {
      ok: false,
      violations: [
        {
          rule: 'charter.uts46',
          message: `${uLabel} does not survive the UTS #46 round trip (A-label ${aLabel ?? 'none'} ↔ U-label ${back?.domain ?? 'none'})`,
        },
      ],
    };
  }
  return {
    ok: true,
    name: {
      aName: `${aLabel}.${split.zone}`,
      uName: `${uLabel}.${split.zone}`,
      aLabel,
      uLabel,
      zone: split.zone,
      idn: aLabel !== uLabel,
    },
  };
}
