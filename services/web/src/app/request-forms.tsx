import { graphql } from './graphql';
import type { Key } from './i18n';
import {
  type FieldSpec,
  lines,
  list,
  NotANumber,
  num,
  type Outcome,
  opt,
  str,
  type Values,
} from './request-form';

/**
 * The request forms of every line, each declared against its mutation (gql.tada types the
 * variables `build` returns: a field renamed in the schema is a type error here). Lists are
 * typed one item a line; multiple choices are checkboxes.
 */

export interface FormContext {
  institutionId: string;
  sites: readonly { id: string; name: string }[];
  contacts: readonly { id: string; name: string }[];
  zones: readonly string[];
  collectors: readonly { id: string; name: string }[];
}

const need = (v: Values, name: string): number => {
  const n = num(v, name);
  if (n === undefined) throw new NotANumber(name);
  return n;
};
/** `name [address…]`, one server a line. */
const servers = (v: Values, name: string) =>
  lines(v, name).map((l) => {
    const [host = '', ...addresses] = l.split(/\s+/);
    return addresses.length ? { name: host, addresses } : { name: host };
  });
/** `keyTag algorithm digestType digest`, one DS a line. */
const dsRecords = (v: Values, name: string) =>
  lines(v, name).map((l) => {
    const [keyTag, algorithm, digestType, digest = ''] = l.split(/\s+/);
    const int = (s: string | undefined) => {
      if (!s || !/^\d+$/.test(s)) throw new NotANumber(name);
      return Number(s);
    };
    return { keyTag: int(keyTag), algorithm: int(algorithm), digestType: int(digestType), digest };
  });
const en = (v: Values, name: string) => [{ lang: 'en', data: str(v, name) }];

const RDNS = graphql(`
  mutation FormReverseDelegation($input: RequestReverseDelegationInput!) {
    requestReverseDelegation(input: $input) {
      __typename
      ... on RequestReverseDelegationPayload { request { id } }
      ... on ValidationError { issues { path message } }
      ... on PolicyRefusalError { rule }
      ... on Error { code message }
    }
  }
`);
const ROUTING = graphql(`
  mutation FormRoutingChange($input: RequestRoutingChangeInput!) {
    requestRoutingChange(input: $input) {
      __typename
      ... on RequestRoutingChangePayload { request { id } }
      ... on ValidationError { issues { path message } }
      ... on PolicyRefusalError { rule }
      ... on Error { code message }
    }
  }
`);
const DOMAIN = graphql(`
  mutation FormDomain($input: RequestDomainInput!) {
    requestDomain(input: $input) {
      __typename
      ... on DomainRequestPayload { request { id } }
      ... on ValidationError { issues { path message } }
      ... on PolicyRefusalError { rule }
      ... on Error { code message }
    }
  }
`);
const EDUROAM_SITE = graphql(`
  mutation FormEduroamSite($institutionId: ID!, $input: EduroamSiteInput!) {
    declareEduroamSite(institutionId: $institutionId, input: $input) {
      __typename
      ... on EduroamSitePayload { site { id } }
      ... on ValidationError { issues { path message } }
      ... on PolicyRefusalError { rule }
      ... on Error { code message }
    }
  }
`);
const ANTISPAM = graphql(`
  mutation FormAntispam($input: RequestAntispamOnboardingInput!) {
    requestAntispamOnboarding(input: $input) {
      __typename
      ... on RequestAntispamOnboardingPayload { request { id } }
      ... on ValidationError { issues { path message } }
      ... on PolicyRefusalError { rule }
      ... on Error { code message }
    }
  }
`);
const CIRCUIT = graphql(`
  mutation FormCircuit($input: RequestCircuitInput!) {
    requestCircuit(input: $input) {
      __typename
      ... on RequestCircuitPayload { request { id } }
      ... on ValidationError { issues { path message } }
      ... on PolicyRefusalError { rule }
      ... on Error { code message }
    }
  }
`);
const AGREEMENT = graphql(`
  mutation FormAgreementChange($input: RequestAgreementChangeInput!) {
    requestAgreementChange(input: $input) {
      __typename
      ... on RequestAgreementChangePayload { request { id } }
      ... on ValidationError { issues { path message } }
      ... on PolicyRefusalError { rule }
      ... on Error { code message }
    }
  }
`);

const SERVICES = [
  'IPAM',
  'RDNS',
  'ROUTING',
  'DOMAINS',
  'EDUROAM',
  'ANTISPAM',
  'CIRCUITS',
  'FEDERATION',
] as const;
type Service = (typeof SERVICES)[number];
const services = (v: Values, name: string) => {
  const l = list(v, name).filter((s): s is Service => (SERVICES as readonly string[]).includes(s));
  return l.length ? l : undefined;
};

/** The forms, by the key the kind chooser shows; each built for one institution. */
export function requestForms(c: FormContext) {
  const siteOptions = c.sites.map((s) => ({ value: s.id, label: s.name }));
  const contactOptions = c.contacts.map((s) => ({ value: s.id, label: s.name }));
  const base = { institutionId: c.institutionId };
  return {
    rdns: {
      title: 'newRdnsRequest' as Key,
      fields: [
        { name: 'zone', label: 'zone', initial: c.zones[0] ?? '', help: 'zoneHelp' },
        { name: 'nameservers', label: 'nameservers', kind: 'textarea', help: 'nameserversHelp' },
        { name: 'ds', label: 'dsRecords', kind: 'textarea', help: 'dsHelp' },
      ] satisfies FieldSpec[],
      doc: RDNS,
      variables: (v: Values) => {
        const ds = dsRecords(v, 'ds');
        return {
          input: {
            ...base,
            zone: str(v, 'zone'),
            nameservers: servers(v, 'nameservers'),
            ...(ds.length ? { ds } : {}),
          },
        };
      },
      outcome: (d: { requestReverseDelegation: Outcome }) => d.requestReverseDelegation,
    },
    routing: {
      title: 'newRoutingRequest' as Key,
      fields: [
        { name: 'prefixes', label: 'announcedPrefixes', kind: 'textarea', help: 'announcedHelp' },
        { name: 'originAs', label: 'originAs' },
        {
          name: 'collectorId',
          label: 'collector',
          kind: 'select',
          options: [{ value: '', label: '—' }, ...c.collectors.map((x) => ({ value: x.id, label: x.name }))],
        },
      ] satisfies FieldSpec[],
      doc: ROUTING,
      variables: (v: Values) => {
        const originAs = num(v, 'originAs');
        const collectorId = opt(v, 'collectorId');
        return {
          input: {
            ...base,
            prefixes: lines(v, 'prefixes'),
            ...(originAs !== undefined ? { originAs } : {}),
            ...(collectorId ? { collectorId } : {}),
          },
        };
      },
      outcome: (d: { requestRoutingChange: Outcome }) => d.requestRoutingChange,
    },
    domain: {
      title: 'newDomainRequest' as Key,
      fields: [
        { name: 'name', label: 'domainName', help: 'domainNameHelp' },
        { name: 'adminContactId', label: 'adminContact', kind: 'select', options: contactOptions },
        { name: 'techContactIds', label: 'techContacts', kind: 'multi', options: contactOptions },
        { name: 'nameservers', label: 'nameservers', kind: 'textarea', help: 'nameserversHelp' },
        { name: 'periodYears', label: 'periodYears', initial: '1' },
      ] satisfies FieldSpec[],
      doc: DOMAIN,
      variables: (v: Values) => {
        const periodYears = num(v, 'periodYears');
        return {
          input: {
            ...base,
            name: str(v, 'name'),
            adminContactId: str(v, 'adminContactId') || (c.contacts[0]?.id ?? ''),
            techContactIds: list(v, 'techContactIds'),
            nameservers: servers(v, 'nameservers'),
            ...(periodYears !== undefined ? { periodYears } : {}),
          },
        };
      },
      outcome: (d: { requestDomain: Outcome }) => d.requestDomain,
    },
    eduroamSite: {
      title: 'newEduroamSite' as Key,
      fields: [
        { name: 'name', label: 'siteNameEn' },
        { name: 'street', label: 'streetEn' },
        { name: 'city', label: 'cityEn' },
        { name: 'coordinates.lat', label: 'latitude' },
        { name: 'coordinates.lon', label: 'longitude' },
        { name: 'accessPoints', label: 'accessPoints', initial: '1' },
        {
          name: 'encryption',
          label: 'encryption',
          kind: 'multi',
          options: [
            { value: 'WPA2_AES', label: 'WPA2/AES' },
            { value: 'WPA3_AES', label: 'WPA3/AES' },
            { value: 'WPA2_TKIP', label: 'WPA2/TKIP' },
          ],
          initial: ['WPA2_AES'],
        },
        {
          name: 'membershipSiteId',
          label: 'site',
          kind: 'select',
          options: [{ value: '', label: '—' }, ...siteOptions],
        },
      ] satisfies FieldSpec[],
      doc: EDUROAM_SITE,
      variables: (v: Values) => {
        const membershipSiteId = opt(v, 'membershipSiteId');
        const encryption = list(v, 'encryption') as ('WPA2_AES' | 'WPA3_AES' | 'WPA2_TKIP')[];
        return {
          institutionId: c.institutionId,
          input: {
            name: en(v, 'name'),
            street: en(v, 'street'),
            city: en(v, 'city'),
            coordinates: { lat: need(v, 'coordinates.lat'), lon: need(v, 'coordinates.lon') },
            accessPoints: need(v, 'accessPoints'),
            encryption,
            ...(membershipSiteId ? { membershipSiteId } : {}),
          },
        };
      },
      outcome: (d: { declareEduroamSite: Outcome }) => d.declareEduroamSite,
    },
    antispam: {
      title: 'newAntispamRequest' as Key,
      fields: [
        { name: 'domains', label: 'mailDomains', kind: 'textarea', help: 'oneALine' },
        { name: 'nextHops', label: 'nextHops', kind: 'textarea', help: 'nextHopsHelp' },
        { name: 'knownAddress', label: 'knownAddress' },
        { name: 'unknownAddress', label: 'unknownAddress' },
        { name: 'directory.url', label: 'ldapUrl', help: 'ldapUrlHelp' },
        { name: 'directory.bindDn', label: 'bindDn' },
        { name: 'directory.bindPassword', label: 'bindPassword', kind: 'password', help: 'writeOnly' },
        { name: 'directory.base', label: 'ldapBase' },
        { name: 'directory.filter', label: 'ldapFilter', initial: '(mail=%s)' },
      ] satisfies FieldSpec[],
      doc: ANTISPAM,
      variables: (v: Values) => ({
        input: {
          ...base,
          domains: lines(v, 'domains'),
          nextHops: lines(v, 'nextHops').map((l) => {
            const m = /^(.*?)(?::(\d+))?$/.exec(l);
            return m?.[2] ? { host: m[1] ?? '', port: Number(m[2]) } : { host: l };
          }),
          knownAddress: str(v, 'knownAddress'),
          unknownAddress: str(v, 'unknownAddress'),
          directory: {
            url: str(v, 'directory.url'),
            bindDn: str(v, 'directory.bindDn'),
            // As typed: a password's spaces are its own.
            bindPassword: String(v['directory.bindPassword'] ?? ''),
            base: str(v, 'directory.base'),
            filter: str(v, 'directory.filter'),
          },
        },
      }),
      outcome: (d: { requestAntispamOnboarding: Outcome }) => d.requestAntispamOnboarding,
    },
    circuit: {
      title: 'newCircuitRequest' as Key,
      fields: [
        { name: 'name', label: 'circuitName' },
        {
          name: 'service',
          label: 'circuitService',
          kind: 'select',
          options: [
            { value: 'ETHERNET', label: 'Ethernet' },
            { value: 'IP', label: 'IP' },
          ],
          initial: 'ETHERNET',
        },
        {
          name: 'topology',
          label: 'topology',
          kind: 'select',
          options: [
            { value: 'POINT_TO_POINT', label: 'point-to-point' },
            { value: 'MULTIPOINT', label: 'multipoint' },
          ],
          initial: 'POINT_TO_POINT',
        },
        { name: 'bandwidthMbps', label: 'bandwidth', initial: '100' },
        { name: 'endpoints', label: 'endpoints', kind: 'multi', options: siteOptions },
      ] satisfies FieldSpec[],
      doc: CIRCUIT,
      variables: (v: Values) => ({
        input: {
          ...base,
          name: str(v, 'name'),
          service: str(v, 'service') === 'IP' ? ('IP' as const) : ('ETHERNET' as const),
          topology:
            str(v, 'topology') === 'MULTIPOINT' ? ('MULTIPOINT' as const) : ('POINT_TO_POINT' as const),
          bandwidthMbps: need(v, 'bandwidthMbps'),
          endpoints: list(v, 'endpoints').map((siteId) => ({ siteId })),
        },
      }),
      outcome: (d: { requestCircuit: Outcome }) => d.requestCircuit,
    },
    agreement: {
      title: 'newAgreementChange' as Key,
      fields: [
        { name: 'bandwidthMbps', label: 'bandwidth' },
        {
          name: 'activateServices',
          label: 'activateServices',
          kind: 'multi',
          options: SERVICES.map((s) => ({ value: s, label: s })),
        },
        {
          name: 'deactivateServices',
          label: 'deactivateServices',
          kind: 'multi',
          options: SERVICES.map((s) => ({ value: s, label: s })),
        },
      ] satisfies FieldSpec[],
      doc: AGREEMENT,
      variables: (v: Values) => {
        const bandwidthMbps = num(v, 'bandwidthMbps');
        const activateServices = services(v, 'activateServices');
        const deactivateServices = services(v, 'deactivateServices');
        return {
          input: {
            ...base,
            ...(bandwidthMbps !== undefined ? { bandwidthMbps } : {}),
            ...(activateServices ? { activateServices } : {}),
            ...(deactivateServices ? { deactivateServices } : {}),
          },
        };
      },
      outcome: (d: { requestAgreementChange: Outcome }) => d.requestAgreementChange,
    },
  };
}

export type FormKind = keyof ReturnType<typeof requestForms>;
