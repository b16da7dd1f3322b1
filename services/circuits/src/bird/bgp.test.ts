import { type Bird, freeTcpPort, startBird, until } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PeConfigInput, renderPeConfig, type SiteSessionInput } from './pe-config.js';

/**
 * Peers test: the PE runs the generated configuration; each site is its own BIRD on another
 * loopback address (127.0.0.2…5) announcing static routes over eBGP. VPN `cir_000001` (mesh)
 * has sites A (limit 3, announces 3), B (limit 2, announces 3) and D (limit 5, announces 1);
 * VPN `cir_000002` has site C. What must show: inside the VRF nothing is filtered (private
 * space, a /30), B's session is shut by its prefix limit and none of its routes stay, D
 * receives A's routes through the PE, and C (another VPN) receives none of them.
 */

interface Site {
  key: 'a' | 'b' | 'c' | 'd';
  address: string;
  asn: number;
  limit: number;
  vpn: 'cir_000001' | 'cir_000002';
  routes: string[];
}

const SITES: Site[] = [
  {
    key: 'a',
    address: '127.0.0.2',
    asn: 65001,
    limit: 3,
    vpn: 'cir_000001',
    routes: ['10.1.0.0/16', '10.2.0.0/16', '192.168.7.0/30'],
  },
  {
    key: 'b',
    address: '127.0.0.3',
    asn: 65002,
    limit: 2,
    vpn: 'cir_000001',
    routes: ['172.16.1.0/24', '172.16.2.0/24', '172.16.3.0/24'],
  },
  { key: 'c', address: '127.0.0.4', asn: 65003, limit: 5, vpn: 'cir_000002', routes: ['10.9.0.0/16'] },
  { key: 'd', address: '127.0.0.5', asn: 65004, limit: 5, vpn: 'cir_000001', routes: ['10.4.0.0/16'] },
];

function peInput(
  pePort: number,
  ports: Record<string, number>,
  limits: Partial<Record<Site['key'], number>> = {},
): PeConfigInput {
  const session = (s: Site): SiteSessionInput => ({
    name: `s_${s.vpn}_${s.key}`,
    label: `SITE-${s.key.toUpperCase()}`,
    localAddress: '127.0.0.1',
    peerAddress: s.address,
    peerAsn: s.asn,
    importLimit: limits[s.key] ?? s.limit,
    localPort: pePort,
    peerPort: ports[s.key]!,
    multihop: true,
    connectDelayTime: 1,
    connectRetryTime: 1,
  });
  return {
    device: { name: 'lo-pe1', routerId: '127.0.0.1', asn: 2200 },
    vpns: [
      {
        name: 'cir_000001',
        label: 'CIR-000001 Research',
        rd: '2200:1001',
        routeTargets: { both: '2200:1001' },
        sites: SITES.filter((s) => s.vpn === 'cir_000001').map(session),
      },
      {
        name: 'cir_000002',
        label: 'CIR-000002 Other',
        rd: '2200:1002',
        routeTargets: { both: '2200:1002' },
        sites: SITES.filter((s) => s.vpn === 'cir_000002').map(session),
      },
    ],
  };
}

function siteConfig(s: Site, port: number, pePort: number): string {
  return `router id ${s.address};
protocol device {
}
protocol static announced {
  ipv4;
${s.routes.map((r) => `  route ${r} blackhole;`).join('\n')}
}
protocol bgp to_pe {
  local ${s.address} port ${port} as ${s.asn};
  neighbor 127.0.0.1 port ${pePort} as 2200;
  multihop;
  connect delay time 1;
  connect retry time 1;
  ipv4 {
    import all;
    export all;
  };
}
`;
}

const nets = (out: string) => [...out.matchAll(/^(\d+\.\d+\.\d+\.\d+\/\d+)\s/gm)].map((m) => m[1]!).sort();

describe('generated PE configuration on live BGP sessions inside the VRFs', () => {
  let pe: Bird;
  const sites = new Map<string, Bird>();
  let pePort: number;
  let ports: Record<string, number>;

  beforeAll(async () => {
    pePort = await freeTcpPort('127.0.0.1');
    ports = {};
    for (const s of SITES) ports[s.key] = await freeTcpPort(s.address);
    pe = await startBird({ config: renderPeConfig(peInput(pePort, ports)) });
    for (const s of SITES)
      sites.set(s.key, await startBird({ config: siteConfig(s, ports[s.key]!, pePort) }));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([pe?.stop(), ...[...sites.values()].map((b) => b.stop())]);
  });

  it('accepts everything a site announces within its limit, private space included', async () => {
    const vrf = await until('A and D in the VRF', async () => {
      const r = nets(await pe.birdc('show route table t_cir_000001'));
      return r.length === 4 ? r : undefined;
    });
    expect(vrf).toEqual(['10.1.0.0/16', '10.2.0.0/16', '10.4.0.0/16', '192.168.7.0/30']);
    expect(await pe.birdc('show protocols s_cir_000001_a')).toMatch(/Established/);
  });

  it('shuts the session of a site that announces more than its limit, keeping none of its routes', async () => {
    const status = await until('B hits its limit', async () => {
      const out = await pe.birdc('show protocols all s_cir_000001_b');
      return /Route limit exceeded/.test(out) ? out : undefined;
    });
    expect(status).toMatch(/Import limit:\s+2 \[HIT\]/);
    expect(status).toMatch(/Action:\s+restart/);
    expect(status).not.toMatch(/Established/);
    expect(
      nets(await pe.birdc('show route table t_cir_000001')).filter((n) => n.startsWith('172.16.')),
    ).toEqual([]);
  });

  it('carries A’s routes to D in the same VPN, and none to C in another VPN', async () => {
    const atD = await until('A’s routes at D', async () => {
      const r = nets(await sites.get('d')!.birdc('show route'));
      return r.includes('192.168.7.0/30') ? r : undefined;
    });
    expect(atD).toEqual(['10.1.0.0/16', '10.2.0.0/16', '10.4.0.0/16', '192.168.7.0/30']);
    expect(await sites.get('c')!.birdc('show protocols to_pe')).toMatch(/Established/);
    expect(nets(await sites.get('c')!.birdc('show route'))).toEqual(['10.9.0.0/16']);
    expect(nets(await pe.birdc('show route table t_cir_000002'))).toEqual(['10.9.0.0/16']);
  });

  it('a regenerated configuration with a higher limit lets B in', async () => {
    expect(await pe.configure(renderPeConfig(peInput(pePort, ports, { b: 3 })))).toMatch(/Reconfigured/);
    await pe.birdc('restart s_cir_000001_b');
    const vrf = await until('B’s routes in the VRF', async () => {
      const r = nets(await pe.birdc('show route table t_cir_000001'));
      return r.length === 7 ? r : undefined;
    });
    expect(vrf.filter((n) => n.startsWith('172.16.'))).toEqual([
      '172.16.1.0/24',
      '172.16.2.0/24',
      '172.16.3.0/24',
    ]);
  });
});
