import { z } from 'zod';
import {
  AVAILABILITIES,
  ENC_LEVELS,
  isVenue,
  LANG,
  LOCATION_KINDS,
  LOCATION_TAGS,
  normaliseRealm,
} from './model.js';

/**
 * The shapes eduroam declarations take (zod), before the policy of rules.ts. Shape errors are
 * ValidationErrors with field paths under `input`; what eduroam forbids (TKIP, another SSID, a
 * point abroad) is a PolicyRefusalError from rules.ts, so a client can tell "malformed" from "not
 * allowed".
 */

const text = (max: number) => z.string().trim().min(1).max(max);

/** A language-tagged list that must hold English (the eduroam database refuses it otherwise). */
export const langList = (max: number) =>
  z
    .array(
      z.object({
        lang: z.string().trim().toLowerCase().regex(LANG, 'a two- or three-letter language code'),
        data: text(max),
      }),
    )
    .min(1)
    .max(10)
    .refine(
      (l) => l.some((t) => t.lang === 'en'),
      'an English (`en`) text is required: the eduroam database refuses a list without one',
    )
    .refine((l) => new Set(l.map((t) => t.lang)).size === l.length, 'one text per language');

const url = z
  .string()
  .trim()
  .max(500)
  .refine((v) => /^https?:\/\/[^\s]+$/.test(v) && URL.canParse(v), 'an http(s) URL');
export const langUrls = z
  .array(
    z.object({
      lang: z.string().trim().toLowerCase().regex(LANG, 'a two- or three-letter language code'),
      data: url,
    }),
  )
  .max(10)
  .refine(
    (l) => l.length === 0 || l.some((t) => t.lang === 'en'),
    'an English (`en`) URL is required when URLs are given',
  )
  .refine((l) => new Set(l.map((t) => t.lang)).size === l.length, 'one URL per language');

export const venue = z
  .string()
  .trim()
  .refine(isVenue, 'an IEEE 802.11u venue "group,type" (groups 0–11, types 0–15), e.g. "3,3"');

export const point = z.object({
  lon: z.number().finite().min(-180).max(180),
  lat: z.number().finite().min(-90).max(90),
});

export const realmName = z
  .string()
  .max(253)
  .transform((v, ctx) => {
    const r = normaliseRealm(v);
    if (!r) {
      ctx.addIssue({
        code: 'custom',
        message:
          'a realm is a domain name (letters, digits, hyphens; two labels at least), such as univ-a.example',
      });
      return z.NEVER;
    }
    return r;
  });

export const contactInput = z.object({
  name: text(200),
  email: z.email().max(254),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ().-]{6,30}$/, 'a phone number'),
  /** person (0) or a service mailbox (1). */
  kind: z.enum(['person', 'service']).default('person'),
  /** Shown in public views (1) or kept for the operators (0). */
  public: z.boolean().default(false),
});
export type ContactInput = z.output<typeof contactInput>;

export const realmInput = z.object({
  institutionId: z.uuid(),
  realm: realmName,
  /** Also answer for every name under the realm (`staff.univ-a.example`). */
  subrealms: z.boolean().default(true),
});
export type RealmInput = z.output<typeof realmInput>;

export const serverInput = z.object({
  institutionId: z.uuid(),
  /** The server's host name, for people (`radius1.univ-a.example`). */
  name: text(253).regex(/^[A-Za-z0-9.-]+$/, 'a host name'),
  address: text(45),
  port: z.number().int().min(1).max(65535).default(1812),
  transport: z.enum(['udp', 'tls']).default('udp'),
});
export type ServerInput = z.output<typeof serverInput>;

export const siteFields = z.object({
  name: langList(200),
  street: langList(300),
  city: langList(100),
  coordinates: point,
  ssid: z.string().max(32).default('eduroam'),
  encryption: z.array(z.enum(ENC_LEVELS)).min(1).max(ENC_LEVELS.length),
  tags: z.array(z.enum(LOCATION_TAGS)).max(LOCATION_TAGS.length).default([]),
  accessPoints: z.number().int().max(100_000),
  wiredPorts: z.number().int().min(0).max(100_000).default(0),
  kind: z.enum(LOCATION_KINDS).default('spot'),
  venue: venue.optional(),
  availability: z.enum(AVAILABILITIES).default('unrestricted'),
  operationHours: z.string().trim().max(200).optional(),
  operatorName: z.string().trim().max(253).optional(),
  infoUrls: langUrls.default([]),
  contact: contactInput.optional(),
  /** The membership site this eduroam location covers, when it is one. */
  membershipSiteId: z.uuid().optional(),
  /** Test (pre-production) sites are exported with stage 0. */
  production: z.boolean().default(true),
});
export type SiteFields = z.output<typeof siteFields>;

export const siteInput = siteFields.extend({ institutionId: z.uuid() });
export type SiteInput = z.output<typeof siteInput>;

export const profileInput = z.object({
  institutionId: z.uuid(),
  names: langList(200).optional(),
  infoUrls: langUrls.optional(),
  policyUrls: langUrls.optional(),
  venue: venue.nullable().optional(),
  coordinates: point.nullable().optional(),
  /** Whether the eduroam contact appears in public views (the database's `privacy` 1). */
  contactPublic: z.boolean().optional(),
  production: z.boolean().optional(),
});
export type ProfileInput = z.output<typeof profileInput>;
