import { builder } from '@guichet/graphql';
import { opt, optId } from '@guichet/workflow';
import { AvailabilityEnum, EncryptionEnum, LocationKindEnum, SiteTagEnum } from './enums.js';

/**
 * The input types of an eduroam site and of the institution's profile (texts per language,
 * points, contacts), shared by the single and bulk site mutations and the profile's.
 */

export const TextInput = builder.inputType('EduroamTextInput', {
  description: 'A text in one language.',
  fields: (f) => ({
    lang: f.string({ description: 'Language code (`en`, `fr`…).' }),
    data: f.string({ description: 'The text (or URL).' }),
  }),
});

export const PointInput = builder.inputType('EduroamPointInput', {
  description: 'A point, longitude first.',
  fields: (f) => ({
    lon: f.float({ description: 'Longitude, degrees east.' }),
    lat: f.float({ description: 'Latitude, degrees north.' }),
  }),
});

const ContactInput = builder.inputType('EduroamSiteContactInput', {
  description: 'A site’s contact (the eduroam database wants all of it).',
  fields: (f) => ({
    name: f.string({ description: 'Name.' }),
    email: f.string({ description: 'Email address.' }),
    phone: f.string({ description: 'Phone number.' }),
    service: f.boolean({
      required: false,
      description: 'A service mailbox rather than a person (default false).',
    }),
    public: f.boolean({ required: false, description: 'Shown in public views (default false: private).' }),
  }),
});

export const SiteFields = builder.inputType('EduroamSiteInput', {
  description: 'An eduroam site as the eduroam database describes it.',
  fields: (f) => ({
    name: f.field({ type: [TextInput], description: 'Its name, per language (English required).' }),
    street: f.field({ type: [TextInput], description: 'Street address, per language (English required).' }),
    city: f.field({ type: [TextInput], description: 'City, per language (English required).' }),
    coordinates: f.field({ type: PointInput, description: 'Where it is (inside the country).' }),
    ssid: f.string({ required: false, description: 'The SSID: `eduroam` (default), nothing else.' }),
    encryption: f.field({
      type: [EncryptionEnum],
      description: 'WPA2/AES and/or WPA3/AES (TKIP is refused).',
    }),
    tags: f.field({ type: [SiteTagEnum], required: false, description: 'Tags.' }),
    accessPoints: f.int({ description: 'Number of access points (≥ 1).' }),
    wiredPorts: f.int({ required: false, description: 'Number of 802.1X wired ports (default 0).' }),
    kind: f.field({
      type: LocationKindEnum,
      required: false,
      description: 'Spot (default), area or mobile.',
    }),
    venue: f.string({ required: false, description: 'IEEE 802.11u venue `group,type` (`3,3`: university).' }),
    availability: f.field({
      type: AvailabilityEnum,
      required: false,
      description: 'Who can reach it (default: no restriction).',
    }),
    operationHours: f.string({ required: false, description: 'Opening hours.' }),
    operatorName: f.string({ required: false, description: 'The Operator-Name it sends.' }),
    infoUrls: f.field({
      type: [TextInput],
      required: false,
      description: 'Information pages, per language (English required if any).',
    }),
    contact: f.field({ type: ContactInput, required: false, description: 'Its contact.' }),
    membershipSiteId: f.id({ required: false, description: 'The membership site it covers.' }),
    production: f.boolean({ required: false, description: 'In service (default) or a test site.' }),
  }),
});

export interface SiteShape {
  name: { lang: string; data: string }[];
  street: { lang: string; data: string }[];
  city: { lang: string; data: string }[];
  coordinates: { lon: number; lat: number };
  ssid?: string | null;
  encryption: string[];
  tags?: string[] | null;
  accessPoints: number;
  wiredPorts?: number | null;
  kind?: string | null;
  venue?: string | null;
  availability?: string | null;
  operationHours?: string | null;
  operatorName?: string | null;
  infoUrls?: { lang: string; data: string }[] | null;
  contact?: {
    name: string;
    email: string;
    phone: string;
    service?: boolean | null;
    public?: boolean | null;
  } | null;
  membershipSiteId?: string | number | null;
  production?: boolean | null;
}

export function siteValue(s: SiteShape) {
  return {
    name: s.name,
    street: s.street,
    city: s.city,
    coordinates: s.coordinates,
    ssid: opt(s.ssid),
    encryption: s.encryption,
    tags: opt(s.tags),
    accessPoints: s.accessPoints,
    wiredPorts: opt(s.wiredPorts),
    kind: opt(s.kind),
    venue: opt(s.venue),
    availability: opt(s.availability),
    operationHours: opt(s.operationHours),
    operatorName: opt(s.operatorName),
    infoUrls: opt(s.infoUrls),
    contact: s.contact
      ? {
          name: s.contact.name,
          email: s.contact.email,
          phone: s.contact.phone,
          kind: s.contact.service ? 'service' : 'person',
          public: s.contact.public ?? false,
        }
      : undefined,
    membershipSiteId: optId(s.membershipSiteId),
    production: opt(s.production),
  };
}
