import { describe, expect, it } from 'vitest';
import type { Technology } from '../model.js';
import { assertNone, RULES, type RuleCode } from './codes.js';
import { designViolations } from './design.js';
import type { Design, DesignAttachment, EndpointFact, Limits, Need, PortFact } from './facts.js';
import { needViolations } from './need.js';
import { designShapeIssues } from './shape.js';

const LIMITS: Limits = { sharedMaxMbps: 1000, dedicatedMaxMbps: 10000, maxPrefixLimit: 1000 };

function port(id: string, over: Partial<PortFact> = {}): PortFact {
  return {
    id,
    label: `dev ${id}`,
    speedMbps: 10000,
    mode: 'shared',
    capacityMbps: 10000,
    reservedMbps: 0,
    l2Mtu: 9216,
    dedicatedInUse: false,
    ...over,
  };
}

const handoff = (l2Mtu: number, translation = false) => ({
  id: 'h1',
  label: 'syrhano-caen',
  l2Mtu,
  translation,
  regionalNetwork: { id: 'rn1', label: 'SYRHANO', l2Mtu: 1600 },
});

const PORTS = new Map<string, PortFact>([
  ['sA', port('sA')],
  ['sB', port('sB')],
  ['sB2', port('sB2')],
  ['rB', port('rB', { handoff: handoff(1508) })],
  ['rSmall', port('rSmall', { handoff: handoff(1504) })],
  ['rTr', port('rTr', { handoff: handoff(9000, true) })],
  ['dA', port('dA', { mode: 'dedicated' })],
  ['dB', port('dB', { mode: 'dedicated' })],
  ['dB1g', port('dB1g', { mode: 'dedicated', speedMbps: 1000, capacityMbps: 1000 })],
  ['dUsed', port('dUsed', { mode: 'dedicated', dedicatedInUse: true })],
  ['full', port('full', { capacityMbps: 1000, reservedMbps: 900 })],
  ['small', port('small', { l2Mtu: 1500 })],
]);

function need(over: Partial<Need> = {}): Need {
  return {
    topology: 'p2p',
    service: 'ethernet',
    bandwidthMbps: 100,
    backup: false,
    ipv6: false,
    multicast: false,
    endpoints: [
      { siteId: 'A', institutionId: 'i1' },
      { siteId: 'B', institutionId: 'i1' },
    ],
    ...over,
  };
}

const ip = (n = 2, limit: number | null = 10, prefixes: string[] = ['10.1.0.0/16']): Partial<Need> => ({
  service: 'ip',
  topology: n > 2 ? 'multipoint' : 'p2p',
  endpoints: Array.from({ length: n }, (_, i) => ({
    siteId: i === 0 ? 'A' : 'B',
    institutionId: `i${i}`,
    ...(limit !== null ? { prefixLimit: limit } : {}),
    prefixes: i === 0 ? prefixes : [],
  })),
});

const ACCESS = new Map<string, PortFact[]>([
  ['A', [PORTS.get('sA')!, PORTS.get('dA')!]],
  ['B', [PORTS.get('rB')!, PORTS.get('dB')!]],
]);

const NEED_CASES: [string, Partial<Need>, RuleCode[], Map<string, PortFact[]>?][] = [
  ['a plain p2p Ethernet need', {}, []],
  [
    'p2p with three endpoints',
    { endpoints: [1, 2, 3].map((i) => ({ siteId: 'A', institutionId: `${i}` })) },
    ['circuits.p2p-two-endpoints'],
  ],
  ['multipoint Ethernet (VPLS)', { topology: 'multipoint' }, ['circuits.no-vpls']],
  ['backup on a multipoint IP need', { ...ip(3), backup: true }, ['circuits.backup-point-to-point']],
  ['backup on p2p', { backup: true }, []],
  ['20 Gbit/s', { bandwidthMbps: 20000 }, ['circuits.bandwidth-offer']],
  ['10 Gbit/s p2p Ethernet', { bandwidthMbps: 10000 }, []],
  ['10 Gbit/s L3VPN', { ...ip(), bandwidthMbps: 10000 }, ['circuits.bandwidth-offer']],
  ['L3VPN with IPv6', { ...ip(), ipv6: true }, ['circuits.ipv6-not-yet-supported']],
  ['L3VPN with multicast', { ...ip(), multicast: true }, ['circuits.multicast-not-yet-supported']],
  ['L3VPN with an IPv6 prefix', ip(2, 10, ['2001:660::/32']), ['circuits.ipv6-not-yet-supported']],
  ['L3VPN in private space', ip(2, 10, ['10.0.0.0/8', '192.168.0.0/16']), []],
  [
    'L3VPN sites without a limit',
    ip(2, null),
    ['circuits.l3vpn-prefix-limit', 'circuits.l3vpn-prefix-limit'],
  ],
  [
    'L3VPN site limits beyond the max',
    ip(2, 5000),
    ['circuits.l3vpn-prefix-limit', 'circuits.l3vpn-prefix-limit'],
  ],
  [
    'L3VPN site announcing more than its limit',
    ip(2, 1, ['10.1.0.0/16', '10.2.0.0/16']),
    ['circuits.l3vpn-prefix-limit'],
  ],
  ['IPv6 flag on an Ethernet need', { ipv6: true, multicast: true }, []],
  ['a site with no access', {}, ['circuits.site-not-attached'], new Map([['A', [PORTS.get('sA')!]]])],
  [
    'no room left',
    { bandwidthMbps: 200 },
    ['circuits.bandwidth-capacity'],
    new Map([
      ['A', [PORTS.get('full')!]],
      ['B', [PORTS.get('sB')!]],
    ]),
  ],
  [
    '10 Gbit/s without dedicated ports',
    { bandwidthMbps: 10000 },
    ['circuits.bandwidth-capacity'],
    new Map([
      ['A', [PORTS.get('sA')!]],
      ['B', [PORTS.get('dB')!]],
    ]),
  ],
  [
    '10 Gbit/s without a common speed',
    { bandwidthMbps: 1000 * 1.5 },
    ['circuits.lambda-same-speed'],
    new Map([
      ['A', [port('x', { mode: 'dedicated', speedMbps: 100000 })]],
      ['B', [PORTS.get('dB')!]],
    ]),
  ],
];

describe('needViolations (at submit)', () => {
  it.each(NEED_CASES)('%s', (_name, over, codes, access = ACCESS) => {
    expect(needViolations(need(over), access, LIMITS).map((v) => v.rule)).toEqual(codes);
  });
});

const E: EndpointFact[] = [
  { id: 'eA', siteId: 'A', label: 'INST / A', prefixLimit: 10, prefixes: ['10.1.0.0/16'], hub: false },
  { id: 'eB', siteId: 'B', label: 'INST / B', prefixLimit: 10, prefixes: [], hub: false },
];

function att(endpointId: string, portId: string, over: Partial<DesignAttachment> = {}): DesignAttachment {
  return { endpointId, path: 'primary', portId, vids: [], cvlans: [], ...over };
}

function design(technology: Technology, attachments: DesignAttachment[], payloadMtu = 1500): Design {
  return { technology, payloadMtu, attachments, vpnTopology: 'mesh' };
}

const bgp = (prefixLimit?: number, local = '10.255.0.0', peer = '10.255.0.1') => ({
  localAddress: local,
  peerAddress: peer,
  peerAsn: 65001,
  ...(prefixLimit ? { prefixLimit } : {}),
});

const qinq = { cvlans: [10, 20, 30] };
const DESIGN_CASES: [string, Partial<Need>, Design, RuleCode[]][] = [
  [
    'VLAN-to-VLAN with QinQ over a 1508 segment',
    {},
    design('l2vpn_vlan', [att('eA', 'sA', qinq), att('eB', 'rB', qinq)]),
    [],
  ],
  [
    'VLAN-to-VLAN with QinQ over a 1504 segment',
    {},
    design('l2vpn_vlan', [att('eA', 'sA', qinq), att('eB', 'rSmall', qinq)]),
    ['circuits.mtu-too-small'],
  ],
  [
    'VLAN-to-VLAN, one tag over a 1504 segment',
    {},
    design('l2vpn_vlan', [att('eA', 'sA'), att('eB', 'rSmall')]),
    [],
  ],
  [
    'VLAN-to-VLAN, segment MTU overridden to 1504',
    {},
    design('l2vpn_vlan', [att('eA', 'sA', qinq), att('eB', 'rB', { ...qinq, segment: { l2Mtu: 1504 } })]),
    ['circuits.mtu-too-small'],
  ],
  [
    'the regional network adds a tag',
    {},
    design('l2vpn_vlan', [att('eA', 'sA', qinq), att('eB', 'rB', { ...qinq, segment: { extraTags: 1 } })]),
    ['circuits.mtu-too-small'],
  ],
  [
    'an access port of 1500 under one tag',
    {},
    design('l2vpn_vlan', [att('eA', 'small'), att('eB', 'sB')]),
    ['circuits.mtu-too-small'],
  ],
  [
    'jumbo payload 9000 on a 9216 port',
    {},
    design('l2vpn_vlan', [att('eA', 'sA'), att('eB', 'sB')], 9000),
    [],
  ],
  [
    'VLAN-to-VLAN with two VIDs at one end',
    {},
    design('l2vpn_vlan', [att('eA', 'sA', { vids: [100, 101] }), att('eB', 'sB')]),
    ['circuits.vlan-to-vlan-one-vid'],
  ],
  [
    'VLAN-to-VLAN on a dedicated port',
    {},
    design('l2vpn_vlan', [att('eA', 'dA'), att('eB', 'sB')]),
    ['circuits.port-mode'],
  ],
  ['port-to-port on dedicated ports', {}, design('l2vpn_port', [att('eA', 'dA'), att('eB', 'dB')]), []],
  [
    'port-to-port on a shared port',
    {},
    design('l2vpn_port', [att('eA', 'sA'), att('eB', 'dB')]),
    ['circuits.port-to-port-whole-port'],
  ],
  [
    'port-to-port on a port already given',
    {},
    design('l2vpn_port', [att('eA', 'dUsed'), att('eB', 'dB')]),
    ['circuits.port-to-port-whole-port'],
  ],
  [
    'port-to-port with a VID',
    {},
    design('l2vpn_port', [att('eA', 'dA', { vids: [5] }), att('eB', 'dB')]),
    ['circuits.port-to-port-whole-port'],
  ],
  [
    'lambda at the same speed',
    { bandwidthMbps: 10000 },
    design('lambda', [att('eA', 'dA', { vids: [7] }), att('eB', 'dB', { vids: [7] })]),
    [],
  ],
  [
    'lambda at two speeds',
    { bandwidthMbps: 1000 },
    design('lambda', [att('eA', 'dA'), att('eB', 'dB1g')]),
    ['circuits.lambda-same-speed'],
  ],
  [
    'lambda beyond a 1G port',
    { bandwidthMbps: 10000 },
    design('lambda', [att('eA', 'dA'), att('eB', 'dB1g')]),
    ['circuits.bandwidth-capacity', 'circuits.lambda-same-speed'],
  ],
  [
    'VLAN-to-VLAN at 2 Gbit/s',
    { bandwidthMbps: 2000 },
    design('l2vpn_vlan', [att('eA', 'sA'), att('eB', 'sB')]),
    ['circuits.bandwidth-offer'],
  ],
  [
    'VLAN-to-VLAN beyond the remaining capacity',
    { bandwidthMbps: 200 },
    design('l2vpn_vlan', [att('eA', 'full'), att('eB', 'sB')]),
    ['circuits.bandwidth-capacity'],
  ],
  [
    'two ends on one handoff share its capacity',
    { bandwidthMbps: 600 },
    design('l2vpn_vlan', [att('eA', 'full'), att('eB', 'full')]),
    ['circuits.bandwidth-capacity'],
  ],
  [
    'L3VPN for an Ethernet need',
    {},
    design('l3vpn', [att('eA', 'sA'), att('eB', 'sB')]),
    ['circuits.technology-mismatch'],
  ],
  [
    'L2 for an IP need',
    ip(),
    design('l2vpn_vlan', [att('eA', 'sA'), att('eB', 'sB')]),
    ['circuits.technology-mismatch'],
  ],
  [
    'L2 for a multipoint need',
    { topology: 'multipoint' },
    design('l2vpn_vlan', [att('eA', 'sA'), att('eB', 'sB')]),
    ['circuits.no-vpls'],
  ],
  [
    'L3VPN with sessions',
    ip(),
    design('l3vpn', [
      att('eA', 'sA', { bgp: bgp() }),
      att('eB', 'rB', { bgp: bgp(20, '10.255.0.2', '10.255.0.3') }),
    ]),
    [],
  ],
  [
    'L3VPN with an IPv6 session',
    ip(),
    design('l3vpn', [att('eA', 'sA', { bgp: bgp(10, '2001:660::1', '2001:660::2') }), att('eB', 'sB')]),
    ['circuits.ipv6-not-yet-supported'],
  ],
  [
    'L3VPN limit raised beyond the max',
    ip(),
    design('l3vpn', [att('eA', 'sA', { bgp: bgp(100000) }), att('eB', 'sB')]),
    ['circuits.l3vpn-prefix-limit'],
  ],
  [
    'L3VPN with two VLANs',
    ip(),
    design('l3vpn', [att('eA', 'sA', { vids: [1, 2] }), att('eB', 'sB')]),
    ['circuits.one-vid-per-endpoint'],
  ],
  [
    'L3VPN with C-VLANs',
    ip(),
    design('l3vpn', [att('eA', 'sA', qinq), att('eB', 'sB')]),
    ['circuits.qinq-l2-only'],
  ],
  [
    'regional VID translated on a handoff that does not translate',
    {},
    design('l2vpn_vlan', [att('eA', 'sA'), att('eB', 'rB', { vids: [300], segment: { remoteVid: 301 } })]),
    ['circuits.translation-not-allowed'],
  ],
  [
    'regional VID translated on a translating handoff',
    {},
    design('l2vpn_vlan', [att('eA', 'sA'), att('eB', 'rTr', { vids: [300], segment: { remoteVid: 301 } })]),
    [],
  ],
  [
    'backup on other ports',
    { backup: true },
    design('l2vpn_vlan', [
      att('eA', 'sA'),
      att('eB', 'sB'),
      att('eA', 'dA', { path: 'backup' }),
      att('eB', 'sB2', { path: 'backup' }),
    ]),
    ['circuits.port-mode'],
  ],
  [
    'backup on the same port',
    { backup: true },
    design('l2vpn_vlan', [
      att('eA', 'sA'),
      att('eB', 'sB'),
      att('eA', 'sA', { path: 'backup' }),
      att('eB', 'sB2', { path: 'backup' }),
    ]),
    ['circuits.backup-same-port'],
  ],
];

describe('designViolations (at design)', () => {
  it.each(DESIGN_CASES)('%s', (_name, over, d, codes) => {
    expect(designViolations(need(over), E, d, PORTS, LIMITS).map((v) => v.rule)).toEqual(codes);
  });
  it('names the hop and the MTU it needs', () => {
    const [v] = designViolations(
      need(),
      E,
      design('l2vpn_vlan', [att('eA', 'sA', qinq), att('eB', 'rSmall', qinq)]),
      PORTS,
      LIMITS,
    );
    expect(v?.message).toMatch(
      /regional segment SYRHANO .* L2 MTU of 1504; 1500 bytes of payload under 2 tags need 1508/,
    );
  });
  it('refuses a multipoint design of three L2 endpoints pointing to L3VPN', () => {
    const three = [...E, { ...E[0]!, id: 'eC', siteId: 'C', label: 'INST / C' }];
    const [v] = designViolations(need(), three, design('l2vpn_vlan', []), PORTS, LIMITS);
    expect(v?.rule).toBe('circuits.no-vpls');
    expect(v?.message).toMatch(/L3VPN/);
  });
});

describe('designShapeIssues', () => {
  it('wants each endpoint once per path', () => {
    expect(designShapeIssues(design('l2vpn_vlan', [att('eA', 'sA'), att('eB', 'sB')]), E, false)).toEqual([]);
    const issues = designShapeIssues(
      design('l2vpn_vlan', [
        att('eA', 'sA'),
        att('eA', 'sB'),
        att('eZ', 'sB'),
        att('eA', 'dA', { path: 'backup' }),
      ]),
      E,
      false,
    );
    expect(issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['attachments.1', 'the primary path of this endpoint is designed twice'],
      ['attachments.2.endpointId', 'not an endpoint of this circuit'],
      ['attachments.3.path', 'no backup was asked for this circuit'],
      ['attachments', 'INST / B: no primary attachment'],
    ]);
    expect(designShapeIssues(design('l2vpn_vlan', [att('eA', 'sA'), att('eB', 'sB')]), E, true)).toHaveLength(
      2,
    );
  });
});

describe('codes', () => {
  it('every code used by the tables above is documented', () => {
    const used = [...NEED_CASES.flatMap((c) => c[2]), ...DESIGN_CASES.flatMap((c) => c[3])];
    for (const c of used) expect(RULES[c]).toBeTruthy();
  });
  it('assertNone throws the first violation with its rule', () => {
    expect(() => assertNone([])).not.toThrow();
    expect(() =>
      assertNone([
        { rule: 'circuits.no-vpls', message: 'a' },
        { rule: 'circuits.bandwidth-offer', message: 'b' },
      ]),
    ).toThrow(
      expect.objectContaining({
        rule: 'circuits.no-vpls',
        message: 'a (and circuits.bandwidth-offer: b)',
      }) as unknown as Error,
    );
  });
});
