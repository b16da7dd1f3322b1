import { describe, expect, it } from 'vitest';
import * as cmd from './commands.js';
import { xsdErrors } from './test/xsd.js';

const ds = { keyTag: 12345, alg: 13, digestType: 2, digest: 'ab'.repeat(32) };
const T = 'GCH-test-1';

/** Every command Guichet can send, in its fullest form. */
const ALL: Record<string, string> = {
  hello: cmd.hello(),
  login: cmd.login(T, { clID: 'GUICHET', pw: 'secret-pw1', newPW: 'secret-pw2' }),
  logout: cmd.logout(T),
  pollReq: cmd.pollRequest(T),
  pollAck: cmd.pollAck(T, '42'),
  check: cmd.domainCheck(T, ['a.fr', 'xn--cole-9oa.fr', 'c.fr', 'd.fr', 'e.fr', 'f.fr', 'g.fr']),
  create: cmd.domainCreate(T, {
    name: 'univ-exemple.fr',
    years: 1,
    hosts: ['ns1.univ-exemple.fr', 'ns2.example.net'],
    registrant: 'GCH-H-1',
    admin: 'GCH-C-1',
    techs: ['GCH-C-2', 'GCH-C-3'],
    authPw: 'Abc-123-xyz',
    ds: [ds],
  }),
  createNoDs: cmd.domainCreate(T, {
    name: 'b.fr',
    years: 10,
    hosts: ['ns1.example.net', 'ns2.example.net'],
    registrant: 'GCH-H-1',
    admin: 'GCH-C-1',
    techs: ['GCH-C-2'],
    authPw: 'Abc-123-xyz',
    ds: [],
  }),
  info: cmd.domainInfo(T, 'b.fr', 'Abc-123-xyz'),
  update: cmd.domainUpdate(T, {
    name: 'b.fr',
    addHosts: ['ns3.example.net'],
    remHosts: ['ns1.example.net'],
    addContacts: [{ type: 'tech', id: 'GCH-C-4' }],
    remContacts: [{ type: 'tech', id: 'GCH-C-2' }],
    authPw: 'New-pw-123',
    addDs: [ds],
    remDs: [{ ...ds, keyTag: 1 }],
  }),
  renew: cmd.domainRenew(T, 'b.fr', '2027-03-01T00:00:00.0Z', 2),
  delete: cmd.domainDelete(T, 'b.fr'),
  restore: cmd.domainRestore(T, 'b.fr'),
  transfer: cmd.domainTransfer(T, {
    name: 'b.fr',
    authPw: 'x1y2z3',
    admin: 'GCH-C-1',
    techs: ['GCH-C-2'],
    keepDS: true,
  }),
  trade: cmd.domainTrade(T, {
    name: 'b.fr',
    registrant: 'GCH-H-2',
    admin: 'GCH-C-1',
    techs: ['GCH-C-2'],
    keepDS: false,
  }),
  hostCheck: cmd.hostCheck(T, ['ns1.example.net']),
  hostCreate: cmd.hostCreate(T, 'ns1.univ-exemple.fr', ['192.0.2.53', '2001:db8::53']),
  contactHolder: cmd.contactCreate(T, {
    id: 'GCH-H-1',
    name: 'Université d’Exemple',
    org: 'Université d’Exemple',
    street: ['1 rue de l’Exemple', 'Bâtiment A'],
    city: 'Paris',
    pc: '75005',
    cc: 'FR',
    voice: '+33.144000000',
    email: 'dsi@univ-exemple.fr',
    authPw: 'Contact-pw-1',
    legalEntity: { legalStatus: 'other', siren: '180089013' },
    restrictedPublication: false,
  }),
  contactPerson: cmd.contactCreate(T, {
    id: 'GCH-C-1',
    name: 'Jeanne Dupont',
    street: [],
    city: 'Paris',
    cc: 'FR',
    email: 'jeanne.dupont@univ-exemple.fr',
    authPw: 'Contact-pw-2',
  }),
  contactInfo: cmd.contactInfo(T, 'GCH-C-1'),
};

describe('EPP commands', () => {
  it.each(Object.entries(ALL))('%s is valid against the EPP schemas', async (_name, xml) => {
    expect(await xsdErrors(xml)).toEqual([]);
  });

  it('the schemas do refuse a malformed command (the check can fail)', async () => {
    const bad = ALL.create?.replace(
      '<domain:period unit="y">1</domain:period>',
      '<domain:period unit="w">1</domain:period>',
    );
    expect((await xsdErrors(bad ?? '')).join('\n')).toMatch(/unit/);
    const reordered = ALL.update?.replace(
      /<secDNS:rem>.*<\/secDNS:rem>(<secDNS:add>.*<\/secDNS:add>)/,
      '$1<secDNS:rem/>',
    );
    expect(await xsdErrors(reordered ?? '')).not.toEqual([]);
  });

  it('checks at most 7 names, escapes text, and declares the svcExtension AFNIC expects', () => {
    expect(() =>
      cmd.domainCheck(
        T,
        Array.from({ length: 8 }, (_, i) => `n${i}.fr`),
      ),
    ).toThrow(/1 to 7/);
    expect(
      cmd.contactCreate(T, {
        id: 'X-1a',
        name: 'A & <B>',
        street: [],
        city: 'C',
        cc: 'FR',
        email: 'e',
        authPw: 'p',
      }),
    ).toContain('A &amp; &lt;B&gt;');
    for (const uri of [
      'urn:ietf:params:xml:ns:rgp-1.0',
      'http://www.afnic.fr/xml/epp/frnic-2.0',
      'urn:ietf:params:xml:ns:secDNS-1.1',
      'urn:ietf:params:xml:ns:launch-1.0',
    ]) {
      expect(ALL.login).toContain(`<extURI>${uri}</extURI>`);
    }
  });
});
