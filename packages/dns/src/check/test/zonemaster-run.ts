import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dsFromKey, type Knot, signZone, startKnot, testDnskeyLine } from '@guichet/testkit';
import { blocks, checkDelegation, type DsInput, type Finding } from '../index.js';

/**
 * Runner of the Zonemaster agreement test (zonemaster.test.ts) and of the `rdns-check` bench
 * section: started by `runInNetns` (@guichet/testkit) because zonemaster-cli only asks port 53
 * (reference/peers.md §3). It starts one Knot per 127.0.0.x:53 serving the fixture zones, a
 * Knot fake root on 127.0.0.254 (`--hints`), runs our checker and zonemaster-cli 5.0.2 on each
 * fixture, prints one JSON document on stdout and stops every knotd, even on failure.
 *
 *   node --import tsx zonemaster-run.ts            → { fixtures: FixtureResult[] }
 *   node --import tsx zonemaster-run.ts bench 10   → { oursMs: number[], zonemasterMs: number[] }
 */

/** One address per NS name, so the fake root can resolve every name (CONSISTENCY05, NAMESERVER06). */
const SERVERS = {
  ns1: '127.0.0.1',
  ns2: '127.0.0.2',
  ns3: '127.0.0.3',
  ns4: '127.0.0.4',
  dead: '127.0.0.9', // nothing listens here
  dead2: '127.0.0.10', // nor here
} as const;
type Server = keyof typeof SERVERS;
const ROOT_ADDRESS = '127.0.0.254';
const fqdn = (s: Server) => `${s}.univ-example.fr`;

const PTR = '1 IN PTR host1.univ-example.fr.';

/** Sane SOA timers and a real-looking RNAME: no ZONE or SYNTAX06 warning (reverse-dns.md §5 pitfall 7). */
function zoneText(zone: string, ns: string[], { serial = 2024010101, extra = [PTR] } = {}) {
  return [
    `$ORIGIN ${zone}.`,
    '$TTL 3600',
    `@ IN SOA ${ns[0]}. hostmaster.univ-example.fr. ${serial} 14400 3600 1209600 3600`,
    ...ns.map((n) => `@ IN NS ${n}.`),
    ...extra,
  ].join('\n');
}

interface Fixture {
  name: string;
  zone: string;
  /** The delegation asked for. */
  request: Server[];
  /** Zone text per server; a listening server without an entry answers REFUSED (lame). */
  serve: Partial<Record<Server, string>>;
  ds?: DsInput[];
}

export interface FixtureResult {
  name: string;
  zone: string;
  ours: { blocks: boolean; findings: { level: string; code: string }[] };
  zonemaster: {
    blocks: boolean;
    /** `LEVEL TAG` at NOTICE and above, loopback artefacts left out. */
    tags: string[];
    /** `LEVEL TAG` of the findings left out because the servers sit on 127/8 in one namespace. */
    loopback: string[];
  };
}

interface ZmEntry {
  level: string;
  module: string;
  tag: string;
  args?: Record<string, unknown>;
}

/**
 * Findings that come from running on loopback, not from the zone (reverse-dns.md §5 pitfall 4):
 * a private NS address (ADDRESS01), no PTR for it (ADDRESS02), a localhost MNAME (ZONE01). Left
 * out only when every address they name is in 127/8, so the same tag about a real address counts.
 * (No ASN finding shows at NOTICE or above for 127/8 addresses in 5.0.2.) Filtered here rather
 * than by a `logfilter` profile (reverse-dns.md §5) so that the table shows what was left out.
 */
const LOOPBACK_TAGS = new Set([
  'NAMESERVER_IP_PRIVATE_NETWORK',
  'NAMESERVER_IP_WITHOUT_REVERSE',
  'Z01_MNAME_HAS_LOCALHOST_ADDR',
]);
function isLoopbackArtefact(e: ZmEntry): boolean {
  if (!LOOPBACK_TAGS.has(e.tag)) return false;
  const { ns_ip, ns_ip_list, prefix } = e.args ?? {};
  const named = [ns_ip, ns_ip_list, prefix]
    .filter((v) => v !== undefined)
    .flatMap((v) => String(v).split(';'));
  return named.length > 0 && named.every((a) => a.startsWith('127.') || a === '127/8');
}

const PROFILE = {
  // Dead servers cost less than with the defaults (reverse-dns.md §5.6). Not 1 s / 1 try: on a
  // loaded machine (load 11 on 2 cores) a live Knot then missed queries, and Zonemaster reported
  // CASE_QUERIES_RESULTS_DIFFER (ERROR) on a good zone. `resolver.defaults` merges key by key,
  // and no `test_levels` here: a partial one turns every other tag into DEBUG (§5.5).
  resolver: { defaults: { timeout: 2, retry: 2 } },
};

function fixtures(): Fixture[] {
  const on = (servers: Server[], text: string) => Object.fromEntries(servers.map((s) => [s, text]));
  const names = (servers: Server[]) => servers.map(fqdn);
  const f = (name: string, zone: string, request: Server[], serve: Fixture['serve'], ds?: DsInput[]) => ({
    name,
    zone,
    request,
    serve,
    ...(ds ? { ds } : {}),
  });
  const two: Server[] = ['ns1', 'ns2'];
  const three: Server[] = ['ns1', 'ns2', 'ns3'];
  const good = (name: string, zone: string, extra = [PTR]) =>
    f(name, zone, two, on(two, zoneText(zone, names(two), { extra })));
  const v6 = '2.4.0.0.8.b.d.0.1.0.0.2.ip6.arpa'; // 2001:db8:42::/48
  const v6ptr = '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN PTR host1.univ-example.fr.';
  // Zones signed by BIND (dnssec-keygen, dnssec-signzone), DS by dnssec-dsfromkey (@guichet/testkit).
  const signed = '100.51.198.in-addr.arpa';
  const key = signZone(signed, zoneText(signed, names(two)));
  const onSigned = on(two, key.text);
  const signedAs = (zone: string, algorithm: 'ED25519' | 'RSASHA256') => {
    const z = signZone(zone, zoneText(zone, names(two)), { algorithm });
    return { serve: on(two, z.text), ds: [z.ds] };
  };
  const ed25519 = signedAs('101.51.198.in-addr.arpa', 'ED25519');
  const rsa = signedAs('102.51.198.in-addr.arpa', 'RSASHA256');
  // Signed, then given a second DNSKEY: the RRSIG over the DNSKEY set no longer verifies.
  const tampered = '103.51.198.in-addr.arpa';
  const tamperedKey = signZone(tampered, zoneText(tampered, names(two)));
  const tamperedText = `${tamperedKey.text}\n${tampered}. 3600 IN ${testDnskeyLine().replace(/^@ IN /, '')}\n`;
  // A DNSKEY in a zone left unsigned.
  const unsigned = '12.0.192.in-addr.arpa';
  const keyOnlyText = zoneText(unsigned, names(two), { extra: [PTR, testDnskeyLine()] });
  return [
    good('good', '2.0.192.in-addr.arpa'),
    good('good IPv6 /48', v6, [v6ptr]),
    good('good RFC 4183 sub-/24', '0-63.3.0.192.in-addr.arpa'),
    f('one server lame (REFUSED)', '4.0.192.in-addr.arpa', ['ns1', 'ns3'], {
      ns1: zoneText('4.0.192.in-addr.arpa', names(['ns1', 'ns3'])),
    }),
    f('SOA serial mismatch', '5.0.192.in-addr.arpa', ['ns1', 'ns4'], {
      ns1: zoneText('5.0.192.in-addr.arpa', names(['ns1', 'ns4'])),
      ns4: zoneText('5.0.192.in-addr.arpa', names(['ns1', 'ns4']), { serial: 2024010102 }),
    }),
    f('NS set mismatch (one server lists another NS)', '6.0.192.in-addr.arpa', two, {
      ns1: zoneText('6.0.192.in-addr.arpa', names(two)),
      ns2: zoneText('6.0.192.in-addr.arpa', [fqdn('ns1'), 'ns9.elsewhere.example']),
    }),
    f(
      'NS set mismatch (request names an NS the zone does not list)',
      '7.0.192.in-addr.arpa',
      three,
      on(three, zoneText('7.0.192.in-addr.arpa', names(two))),
    ),
    f(
      'NS set mismatch (zone lists an NS the request lacks)',
      '8.0.192.in-addr.arpa',
      two,
      on(three, zoneText('8.0.192.in-addr.arpa', names(three))),
    ),
    f('a single name server', '9.0.192.in-addr.arpa', ['ns1'], {
      ns1: zoneText('9.0.192.in-addr.arpa', names(['ns1'])),
    }),
    f('one server address with nothing listening', '10.0.192.in-addr.arpa', ['ns1', 'dead'], {
      ns1: zoneText('10.0.192.in-addr.arpa', names(['ns1', 'dead'])),
    }),
    f('no server address listening', '11.0.192.in-addr.arpa', ['dead', 'dead2'], {}),
    f('signed zone, SHA-256 DS', signed, two, onSigned, [key.ds]),
    f('signed zone, SHA-384 DS', signed, two, onSigned, [key.ds384]),
    f('signed zone, DS matching nothing', signed, two, onSigned, [{ ...key.ds, digest: 'ab'.repeat(32) }]),
    f('signed zone, SHA-1 DS (digest type 1)', signed, two, onSigned, [dsFromKey(signed, key.text, 'SHA-1')]),
    f('signed zone (Ed25519), SHA-256 DS', '101.51.198.in-addr.arpa', two, ed25519.serve, ed25519.ds),
    f('signed zone (RSA/SHA-256), SHA-256 DS', '102.51.198.in-addr.arpa', two, rsa.serve, rsa.ds),
    f('signed zone given a DNSKEY after signing, SHA-256 DS', tampered, two, on(two, tamperedText), [
      tamperedKey.ds,
    ]),
    f('unsigned zone publishing the DNSKEY, SHA-256 DS', unsigned, two, on(two, keyOnlyText), [
      dsFromKey(unsigned, keyOnlyText),
    ]),
  ];
}

/** One Knot per listening server address, serving every fixture zone it has, and the fake root. */
async function startServers(all: Fixture[]): Promise<Knot[]> {
  const zones = new Map<Server, Map<string, string>>();
  for (const fx of all)
    for (const [server, text] of Object.entries(fx.serve) as [Server, string][]) {
      const mine = zones.get(server) ?? new Map<string, string>();
      mine.set(fx.zone, text);
      zones.set(server, mine);
    }
  for (const fx of all)
    for (const s of fx.request) if (!s.startsWith('dead') && !zones.has(s)) zones.set(s, new Map()); // lame: REFUSED
  const root = [
    '$ORIGIN .',
    '$TTL 3600',
    '@ IN SOA a.root.test. hostmaster.univ-example.fr. 1 14400 3600 1209600 3600',
    '@ IN NS a.root.test.',
    `a.root.test. IN A ${ROOT_ADDRESS}`,
    // The SOA RNAME's mail domain needs an MX, or every fixture gets RNAME_MAIL_DOMAIN_INVALID.
    'univ-example.fr. IN MX 10 mail.univ-example.fr.',
    'mail.univ-example.fr. IN A 127.0.0.25',
    ...Object.entries(SERVERS).map(([s, a]) => `${fqdn(s as Server)}. IN A ${a}`),
  ].join('\n');
  const started = await Promise.allSettled([
    startKnot({ listen: ROOT_ADDRESS, port: 53, zones: [{ name: '.', text: root }] }),
    ...[...zones].map(([server, mine]) =>
      startKnot({
        listen: SERVERS[server],
        port: 53,
        zones: [...mine].map(([name, text]) => ({ name, text })),
      }),
    ),
  ]);
  const knots = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(knots.map((k) => k.stop()));
    throw failed.reason;
  }
  return knots;
}

function checkOurs(fx: Fixture): Promise<Finding[]> {
  return checkDelegation(
    {
      zone: fx.zone,
      nameservers: fx.request.map((s) => ({ name: fqdn(s) })),
      ...(fx.ds ? { ds: fx.ds } : {}),
    },
    {
      // What the fake root answers for these names: the same table.
      resolve: async (name) => {
        const s = (Object.keys(SERVERS) as Server[]).find((k) => fqdn(k) === name);
        return s ? [{ address: SERVERS[s], port: 53 }] : [];
      },
      timeoutMs: 2000, // as Zonemaster's, above
    },
  );
}

interface Zonemaster {
  hints: string;
  profile: string;
  /** HOME for zonemaster-cli, so no ~/.zonemaster/cli.args is read (reverse-dns.md §5). */
  home: string;
}

function runZonemaster(zm: Zonemaster, fx: Fixture): Promise<ZmEntry[]> {
  const args = [
    ...['--no-ipv6', '--hints', zm.hints, '--profile', zm.profile, '--raw', '--json', '--no-progress'],
    ...fx.request.map((s) => `--ns=${fqdn(s)}/${SERVERS[s]}`),
    ...(fx.ds ?? []).map((d) => `--ds=${d.keyTag},${d.algorithm},${d.digestType},${d.digest}`),
    fx.zone,
  ];
  // setpriv: a zonemaster-cli left running must not outlive this runner.
  const [cmd, argv] = existsSync('/usr/bin/setpriv')
    ? ['setpriv', ['--pdeathsig', 'KILL', 'zonemaster-cli', ...args]]
    : ['zonemaster-cli', args];
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      argv,
      { timeout: 60_000, maxBuffer: 16 << 20, env: { ...process.env, HOME: zm.home, LC_ALL: 'C.UTF-8' } },
      (err, stdout, stderr) => {
        // The exit code means nothing (reverse-dns.md §5 pitfall 1): stdout must be a JSON array.
        try {
          const parsed: unknown = JSON.parse(stdout);
          if (!Array.isArray(parsed)) throw new Error('not an array');
          resolve(parsed as ZmEntry[]);
        } catch (e) {
          reject(
            new Error(
              `zonemaster-cli on ${fx.name}: ${err?.message ?? ''} ${String(e)}\n${stderr}\n${stdout}`,
            ),
          );
        }
      },
    );
  });
}

const SEVERE = new Set(['ERROR', 'CRITICAL']);
const CONCURRENCY = 3;

function verdict(entries: ZmEntry[]): FixtureResult['zonemaster'] {
  const label = (e: ZmEntry) => `${e.level} ${e.tag}`;
  const kept = entries.filter((e) => !isLoopbackArtefact(e));
  return {
    blocks: kept.some((e) => SEVERE.has(e.level)),
    tags: [...new Set(kept.map(label))].sort(),
    loopback: [...new Set(entries.filter(isLoopbackArtefact).map(label))].sort(),
  };
}

/** Refuses to bind port 53 anywhere but in a namespace of our own (`lo` only). */
function assertPrivateNetns() {
  const ifaces = readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((l) => (l.split(':')[0] ?? '').trim())
    .filter(Boolean);
  if (ifaces.join() !== 'lo')
    throw new Error(`run me through runInNetns (unshare -n): interfaces here are ${ifaces.join(', ')}`);
}

async function main() {
  assertPrivateNetns();
  if (existsSync('/etc/zonemaster/cli.args'))
    throw new Error('/etc/zonemaster/cli.args exists: its options would be prepended to every run');
  const dir = mkdtempSync(join(tmpdir(), 'guichet-zonemaster-'));
  // On SIGTERM (runInNetns's timeout) exit through 'exit': spawnDaemon's hooks then kill every
  // knotd and remove its directory, and this removes ours.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  process.once('SIGTERM', () => process.exit(143));
  let knots: Knot[] = [];
  try {
    const all = fixtures();
    const zm: Zonemaster = { hints: join(dir, 'hints.root'), profile: join(dir, 'profile.json'), home: dir };
    // named.root format, NS and A only, no $TTL (reverse-dns.md §5 pitfall 3).
    writeFileSync(
      zm.hints,
      `.  3600000  IN  NS  a.root.test.\na.root.test.  3600000  IN  A  ${ROOT_ADDRESS}\n`,
    );
    writeFileSync(zm.profile, JSON.stringify(PROFILE));
    knots = await startServers(all);

    const [mode, count] = process.argv.slice(2);
    if (mode === 'bench') {
      const good = all.find((fx) => fx.name === 'good') as Fixture;
      const oursMs: number[] = [];
      const zonemasterMs: number[] = [];
      const time = async (f: () => Promise<unknown>) => {
        const t0 = performance.now();
        await f();
        return performance.now() - t0;
      };
      // One warm-up each (module loading, Perl's page cache), then interleaved.
      await checkOurs(good);
      await runZonemaster(zm, good);
      for (let i = 0; i < Number(count ?? 10); i++) {
        oursMs.push(await time(() => checkOurs(good)));
        zonemasterMs.push(await time(() => runZonemaster(zm, good)));
      }
      process.stdout.write(`${JSON.stringify({ oursMs, zonemasterMs })}\n`);
      return;
    }

    // A few at a time: each zonemaster-cli run is mostly Perl start-up and 1 s timeouts.
    const results: FixtureResult[] = new Array(all.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < all.length; i = next++) {
        const fx = all[i] as Fixture;
        const [findings, entries] = await Promise.all([checkOurs(fx), runZonemaster(zm, fx)]);
        results[i] = {
          name: fx.name,
          zone: fx.zone,
          ours: { blocks: blocks(findings), findings: findings.map(({ level, code }) => ({ level, code })) },
          zonemaster: verdict(entries),
        };
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    process.stdout.write(`${JSON.stringify({ fixtures: results })}\n`);
  } finally {
    await Promise.all(knots.map((k) => k.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
