import { builder } from '@guichet/graphql';
import { TIMEOUT_MEANING } from '../model.js';

/** The eduroam enums: what the eduroam database's fields may hold, and our own states. */

export const EncryptionEnum = builder.enumType('EduroamEncryption', {
  description: 'An encryption level of the eduroam database; eduroam accepts WPA2/AES and WPA3/AES only.',
  values: {
    WPA_TKIP: { value: 'WPA/TKIP', description: 'WPA with TKIP (refused).' },
    WPA_AES: { value: 'WPA/AES', description: 'WPA with AES (refused: WPA1).' },
    WPA2_TKIP: { value: 'WPA2/TKIP', description: 'WPA2 with TKIP (refused).' },
    WPA2_AES: { value: 'WPA2/AES', description: 'WPA2-Enterprise with AES (CCMP).' },
    WPA3_AES: { value: 'WPA3/AES', description: 'WPA3-Enterprise with AES.' },
  } as const,
});

export const SiteTagEnum = builder.enumType('EduroamSiteTag', {
  description: 'What a site offers or restricts (the eduroam database `tag` list).',
  values: {
    PORT_RESTRICT: {
      value: 'port_restrict',
      description: 'Only the minimum open ports of the eduroam policy.',
    },
    TRANSP_PROXY: { value: 'transp_proxy', description: 'A transparent web proxy.' },
    IPV6: { value: 'IPv6', description: 'IPv6 offered.' },
    NAT: { value: 'NAT', description: 'Clients are behind NAT.' },
    HS2_0: { value: 'HS2.0', description: 'Passpoint (Hotspot 2.0).' },
  } as const,
});

export const LocationKindEnum = builder.enumType('EduroamLocationKind', {
  description: 'The shape of a site.',
  values: {
    SPOT: { value: 'spot', description: 'A single spot (a building).' },
    AREA: { value: 'area', description: 'An area (a campus).' },
    MOBILE: { value: 'mobile', description: 'Mobile (a bus, a train).' },
  } as const,
});

export const AvailabilityEnum = builder.enumType('EduroamAvailability', {
  description: 'Who can reach a site.',
  values: {
    UNRESTRICTED: { value: 'unrestricted', description: 'No restriction.' },
    PHYSICAL_RESTRICTION: { value: 'physical_restriction', description: 'Physical access is restricted.' },
  } as const,
});

export const RealmStateEnum = builder.enumType('EduroamRealmState', {
  description: 'Where a realm stands.',
  values: {
    PENDING: { value: 'pending', description: 'Filed, waiting for its DNS proof.' },
    ACTIVE: { value: 'active', description: 'Proved and routed by the national proxy.' },
    REMOVED: { value: 'removed', description: 'Removed (its namespace is free again).' },
  } as const,
});

export const ProbeStateEnum = builder.enumType('EduroamProbeState', {
  description: 'What the Status-Server probes say about a server.',
  values: {
    UNKNOWN: { value: 'unknown', description: 'Not probed yet.' },
    UP: { value: 'up', description: 'Answered the last probe.' },
    DOWN: { value: 'down', description: `Three probes in a row unanswered (${TIMEOUT_MEANING}).` },
  } as const,
});

export const TransportEnum = builder.enumType('EduroamTransport', {
  description: 'How the national proxy talks to a server.',
  values: {
    UDP: { value: 'udp', description: 'RADIUS over UDP with a shared secret.' },
    TLS: { value: 'tls', description: 'RadSec (RADIUS over TLS, RFC 6614, TCP 2083).' },
  } as const,
});
