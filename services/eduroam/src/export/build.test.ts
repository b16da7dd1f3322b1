import { randomBytes } from 'node:crypto';
import { createSecretBox } from '@guichet/core';
import { describe, expect, it } from 'vitest';
import { eduroamRuntime, parseEduroamConfig } from '../config.js';
import { type InstitutionFacts, institutionDocument, roDocument, type SiteFacts } from './build.js';
import { describeErrors, roFacts, validateInstitutionJson, validateRoJson } from './index.js';

const at = new Date('2026-11-30T10:00:00Z');
const rt = eduroamRuntime(parseEduroamConfig({}), createSecretBox(randomBytes(32)));
const ro = roFacts(rt, at);

const site: SiteFacts = {
  id: '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  names: [
    { lang: 'fr', data: 'Bibliothèque' },
    { lang: 'en', data: 'Library' },
  ],
  street: [{ lang: 'en', data: '1 rue de la Paix' }],
  city: [{ lang: 'en', data: 'Lyon' }],
  lon: 4.8357,
  lat: 45.764,
  ssid: 'eduroam',
  encryption: ['WPA3/AES', 'WPA2/AES'],
  tags: ['port_restrict', 'IPv6'],
  accessPoints: 12,
  wiredPorts: 0,
  kind: 0,
  venue: '3,3',
  availability: 0,
  operationHours: null,
  operatorName: null,
  infoUrls: [{ lang: 'en', data: 'https://univ-a.example/eduroam' }],
  contact: {
    name: 'Desk',
    email: 'wifi@univ-a.example',
    phone: '+33 4 72 00 00 00',
    kind: 'service',
    public: false,
  },
  production: true,
  updatedAt: at,
};

const inst: InstitutionFacts = {
  id: 'aaaaaaaa-0000-4000-8000-000000000001',
  name: 'Université A',
  names: null,
  mainSite: { address: '1 rue de la Paix', city: 'Lyon' },
  realms: ['univ-a.example'],
  servers: [{ name: 'radius1.univ-a.example', transport: 'udp' }],
  contact: {
    name: 'Eva Roam',
    email: 'eva.roam@univ-a.example',
    phone: '+33 4 72 00 00 01',
    kind: 'person',
    public: false,
  },
  venue: '3,3',
  point: { lon: 4.8357, lat: 45.764 },
  infoUrls: [],
  policyUrls: [],
  production: true,
  sites: [site],
  updatedAt: at,
};

describe('eduroam database v2 export', () => {
  it('validates against the v2 schemas, longitude first, English in every language list', () => {
    const doc = institutionDocument([inst], ro, 'full');
    expect(validateInstitutionJson(doc), describeErrors(validateInstitutionJson.errors).join('\n')).toBe(
      true,
    );
    expect(validateRoJson(roDocument(ro)), describeErrors(validateRoJson.errors).join('\n')).toBe(true);
    const i = doc.institutions.institution[0]!;
    expect(i).toMatchObject({
      instid: 'aaaaaaaa000040008000000000000001',
      ROid: 'fr01',
      type: 'IdP+SP',
      stage: 1,
      inst_realm: ['univ-a.example'],
    });
    expect(i.inst_name).toEqual([
      { lang: 'en', data: 'Université A' },
      { lang: 'fr', data: 'Université A' },
    ]);
    const loc = i.location![0]!;
    expect(loc).toMatchObject({
      locationid: '3f1c2d4e5a6b4c7d8e9f0a1b2c3d4e5f',
      coordinates: '4.8357,45.764',
      SSID: 'eduroam',
      enc_level: 'WPA2/AES,WPA3/AES',
      tag: 'IPv6,port_restrict',
      AP_no: 12,
    });
    expect(loc.loc_name?.[0]).toEqual({ lang: 'en', data: 'Library' });
  });

  it('keeps private contacts out of the public view (the NRO service contact stands in)', () => {
    const full = JSON.stringify(institutionDocument([inst], ro, 'full'));
    const pub = institutionDocument([inst], ro, 'public');
    expect(full).toContain('eva.roam@univ-a.example');
    expect(full).toContain('wifi@univ-a.example');
    const text = JSON.stringify(pub);
    expect(text).not.toContain('eva.roam@');
    expect(text).not.toContain('wifi@');
    expect(pub.institutions.institution[0]?.contact).toEqual([
      { name: ro.contact.name, email: ro.contact.email, phone: ro.contact.phone, type: 1, privacy: 1 },
    ]);
    expect(validateInstitutionJson(pub)).toBe(true);
    const publicOne = { ...inst, contact: { ...inst.contact!, public: true } };
    expect(JSON.stringify(institutionDocument([publicOne], ro, 'public'))).toContain('eva.roam@');
  });

  it('is refused by the schema without English, with lat,lon swapped out of range, or with a bad tag', () => {
    const doc = institutionDocument([inst], ro, 'full');
    const broken = structuredClone(doc) as { institutions: { institution: Record<string, unknown>[] } };
    const i = broken.institutions.institution[0]!;
    i.inst_name = [{ lang: 'fr', data: 'Université A' }];
    (i.location as Record<string, unknown>[])[0]!.tag = 'captive_portal';
    (i.location as Record<string, unknown>[])[0]!.coordinates = '45.764,184.8357';
    i.info_URL = [{ lang: 'en', data: 'not a url' }];
    expect(validateInstitutionJson(broken)).toBe(false);
    const errors = describeErrors(validateInstitutionJson.errors).join('\n');
    expect(errors).toContain('institutions.institution[0].inst_name: must contain at least 1 valid item(s)');
    expect(errors).toContain('institutions.institution[0].location[0].tag');
    expect(errors).toContain('institutions.institution[0].location[0].coordinates');
    expect(errors).toContain('institutions.institution[0].info_URL[0].data: must match format "uri"');
  });

  it('leaves out an institution with neither realm nor site (it is neither IdP nor SP)', () => {
    const doc = institutionDocument([{ ...inst, realms: [], sites: [] }], ro, 'full');
    expect(doc.institutions.institution).toEqual([]);
  });
});
