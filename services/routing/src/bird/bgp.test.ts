import { type Bird, freeTcpPort, startBird, until } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorConfigInput, renderCollectorConfig } from './index.js';

/**
 * Peers test (reference/peers.md §4): an "institution" BIRD announces routes over BGP to a
 * "collector" BIRD running the generated configuration, on 127.0.0.2 ↔ 127.0.0.1. IPv4 only:
 * there is one IPv6 loopback address, and routes over ::1 ↔ ::1 are refused for their next hop.
 */

const ALLOWED = ['193.48.0.0/24', '193.48.4.0/22', '193.48.5.0/24'];
const ADDED = '194.57.10.0/24';
const REFUSED = {
  notListed: '195.83.0.0/24',
  tooLong: '193.48.4.0/25',
  bogon: '10.1.0.0/16',
  wrongOrigin: '193.48.6.0/24',
};

function collectorInput(
  ports: { collector: number; institution: number },
  extra: string[],
): CollectorConfigInput {
  return {
    collector: { name: 'RC-Loopback', routerId: '127.0.0.1', asn: 65000, keepFiltered: true },
    sessions: [
      {
        name: 'univ_a',
        peerAddress: '127.0.0.2',
        peerAsn: 65001,
        importLimit: 100,
        localAddress: '127.0.0.1',
        localPort: ports.collector,
        peerPort: ports.institution,
        multihop: true,
        connectDelayTime: 1,
        connectRetryTime: 1,
        institutions: [
          {
            shortName: 'UNIV-A',
            originAs: 65001,
            prefixes: [
              { prefix: '193.48.0.0/24' },
              { prefix: '193.48.4.0/22', maxLength: 24 },
              ...extra.map((prefix) => ({ prefix })),
            ],
          },
        ],
      },
    ],
  };
}

function institutionConfig(ports: { collector: number; institution: number }): string {
  const routes = [...ALLOWED, ADDED, REFUSED.notListed, REFUSED.tooLong, REFUSED.bogon]
    .map((p) => `  route ${p} blackhole;`)
    .join('\n');
  return `router id 127.0.0.2;
protocol device {
}
protocol static announced {
  ipv4;
${routes}
  # Originated "behind" the institution by another AS: the collector's origin check drops it.
  route ${REFUSED.wrongOrigin} blackhole { bgp_path.prepend(65009); };
}
protocol bgp to_collector {
  local 127.0.0.2 port ${ports.institution} as 65001;
  neighbor 127.0.0.1 port ${ports.collector} as 65000;
  multihop;
  connect delay time 1;
  connect retry time 1;
  ipv4 {
    import none;
    export all;
  };
}
`;
}

/** Network column of `show route` output. */
function nets(output: string): string[] {
  return [...output.matchAll(/^(\d+\.\d+\.\d+\.\d+\/\d+)\s/gm)].map((m) => m[1]!).sort();
}

describe('generated import filter on a live BGP session', () => {
  let collector: Bird;
  let institution: Bird;
  let ports: { collector: number; institution: number };

  beforeAll(async () => {
    ports = { collector: await freeTcpPort('127.0.0.1'), institution: await freeTcpPort('127.0.0.2') };
    const { text } = renderCollectorConfig(collectorInput(ports, []));
    collector = await startBird({ config: text });
    institution = await startBird({ config: institutionConfig(ports) });
  });

  afterAll(async () => {
    await Promise.all([collector?.stop(), institution?.stop()]);
  });

  const announced = [...ALLOWED, ADDED, ...Object.values(REFUSED)].sort();

  it('accepts exactly the allowed prefixes and keeps the others filtered', async () => {
    // Every announced route has arrived once accepted ∪ filtered covers them all.
    const [accepted, filtered] = await until('all routes at the collector', async () => {
      const a = nets(await collector.birdc('show route'));
      const f = nets(await collector.birdc('show route filtered'));
      return [...a, ...f].sort().join() === announced.join() ? [a, f] : undefined;
    });
    expect(accepted).toEqual([...ALLOWED].sort());
    expect(filtered).toEqual([ADDED, ...Object.values(REFUSED)].sort());
    expect(await collector.birdc('show protocols p_univ_a')).toMatch(/Established/);
  });

  it('a regenerated config with one more prefix is applied live, without a restart', async () => {
    const since = (out: string) => /p_univ_a\s+BGP\s+\S+\s+up\s+(\S+)/.exec(out)?.[1];
    const before = since(await collector.birdc('show protocols p_univ_a'));
    expect(before).toBeDefined();
    const { text } = renderCollectorConfig(collectorInput(ports, [ADDED]));
    expect(await collector.configure(text)).toMatch(/Reconfigured/);
    const accepted = await until('the added prefix accepted', async () => {
      const a = nets(await collector.birdc('show route'));
      return a.includes(ADDED) ? a : undefined;
    });
    expect(accepted).toEqual([...ALLOWED, ADDED].sort());
    expect(nets(await collector.birdc('show route filtered'))).toEqual(Object.values(REFUSED).sort());
    expect(since(await collector.birdc('show protocols p_univ_a'))).toBe(before);
  });
});

describe('IPv6 filters on static routes (no BGP over ::1)', () => {
  let bird: Bird;
  afterAll(async () => {
    await bird?.stop();
  });

  it('the generated filter accepts the allowed IPv6 prefixes only', async () => {
    const { text } = renderCollectorConfig({
      collector: { name: 'RC-V6', routerId: '127.0.0.1', asn: 65000 },
      sessions: [
        {
          name: 'lab',
          peerAddress: '2001:660:7000::2',
          peerAsn: 65002,
          importLimit: 50,
          institutions: [
            {
              shortName: 'LAB-V6',
              originAs: 65002,
              prefixes: [{ prefix: '2001:660:7000::/44', maxLength: 48 }, { prefix: '2001:660:7100::/48' }],
            },
          ],
        },
      ],
    });
    // The generated filter fed by a static protocol; bgp_path set as the institution would.
    const routes = [
      ['2001:660:7000::/44', 65002],
      ['2001:660:7001::/48', 65002],
      ['2001:660:7100::/48', 65002],
      ['2001:660:7002::/56', 65002], // too long
      ['2001:660:7200::/48', 65002], // not listed
      ['2001:db8:1::/48', 65002], // bogon
      ['2001:660:7003::/48', 65099], // wrong origin
    ] as const;
    const statics = routes
      .map(([p, as]) => `  route ${p} blackhole { bgp_path.prepend(${as}); };`)
      .join('\n');
    const config = `${text}\nprotocol static from_lab {\n  ipv6 {\n    import filter f_import_lab;\n    import keep filtered on;\n  };\n${statics}\n}\n`;
    bird = await startBird({ config });
    const v6 = (out: string) => [...out.matchAll(/^([0-9a-f:]+\/\d+)\s/gm)].map((m) => m[1]!).sort();
    const accepted = await until('static routes', async () => {
      const a = v6(await bird.birdc('show route'));
      return a.length ? a : undefined;
    });
    expect(accepted).toEqual(['2001:660:7000::/44', '2001:660:7001::/48', '2001:660:7100::/48']);
    expect(v6(await bird.birdc('show route filtered'))).toEqual(
      ['2001:660:7002::/56', '2001:660:7200::/48', '2001:db8:1::/48', '2001:660:7003::/48'].sort(),
    );
  });
});
