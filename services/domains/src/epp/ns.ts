/** The XML namespaces of EPP (RFC 5730–5733, 5910, 3915) and of AFNIC's extension. */
export const NS = {
  epp: 'urn:ietf:params:xml:ns:epp-1.0',
  eppcom: 'urn:ietf:params:xml:ns:eppcom-1.0',
  domain: 'urn:ietf:params:xml:ns:domain-1.0',
  host: 'urn:ietf:params:xml:ns:host-1.0',
  contact: 'urn:ietf:params:xml:ns:contact-1.0',
  secDNS: 'urn:ietf:params:xml:ns:secDNS-1.1',
  rgp: 'urn:ietf:params:xml:ns:rgp-1.0',
  frnic: 'http://www.afnic.fr/xml/epp/frnic-2.0',
  launch: 'urn:ietf:params:xml:ns:launch-1.0',
} as const;

/** The objects Guichet manages (login `objURI`). */
export const OBJECT_URIS = [NS.domain, NS.host, NS.contact] as const;

/** The extensions AFNIC expects at login (`svcExtension`, fr-domains.md §4.2). */
export const EXTENSION_URIS = [NS.rgp, NS.frnic, NS.secDNS, NS.launch] as const;
