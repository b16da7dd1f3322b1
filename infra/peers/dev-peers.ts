import {
  DEFAULT_USERS,
  ldapEnv,
  startBird,
  startKnot,
  startRipeStandin,
  startSlapd,
  startSmtpSink,
} from '@guichet/testkit';
import { startCluster, stopCluster } from '../../scripts/pg-cluster.mjs';

/**
 * The peers `pnpm peer` can start for development, each exactly as the tests start it (the
 * @guichet/testkit launchers, on 127.0.0.1 and a free port, in a temp dir removed at stop).
 * A line that adds a launcher to testkit adds its entry here: what it starts, the variables
 * that point Guichet at it, and anything a developer needs to use it.
 */
export interface RunningPeer {
  /** Variables for Guichet (`env $(…) pnpm start`, or an env file). */
  env: Record<string, string>;
  /** Lines for the developer: accounts, sockets, how to look at it. */
  notes: string[];
  stop(): Promise<void>;
}

export interface DevPeer {
  description: string;
  /** Debian packages it needs (all in apt-packages.txt). */
  packages: string[];
  /** `args`: what followed `name:` on the command line, split at commas. */
  start(args: string[], log: (line: string) => void): Promise<RunningPeer>;
}

const zoneText = (zone: string) =>
  [
    `$ORIGIN ${zone}.`,
    '$TTL 300',
    '@ IN SOA ns1.renater-example.fr. hostmaster.renater-example.fr. 1 14400 3600 1209600 3600',
    '@ IN NS ns1.renater-example.fr.',
  ].join('\n');

export const DEV_PEERS: Record<string, DevPeer> = {
  postgres: {
    description: 'a throwaway PostgreSQL cluster (initdb in a temp dir), trust auth',
    packages: ['postgresql'],
    async start() {
      const cluster = await startCluster();
      return {
        env: { DATABASE_URL: cluster.url },
        notes: [`psql ${cluster.url}`, 'then `pnpm worker` beside `pnpm start` (jobs run in the worker)'],
        stop: async () => stopCluster(cluster),
      };
    },
  },
  slapd: {
    description: 'OpenLDAP with the staff directory of the tests (groups noc, desk, admins)',
    packages: ['slapd', 'ldap-utils'],
    async start() {
      const slapd = await startSlapd();
      return {
        env: ldapEnv(slapd),
        notes: DEFAULT_USERS.map((u) => `login ${u.uid} / ${u.password}`),
        stop: slapd.stop,
      };
    },
  },
  smtp: {
    description: 'an SMTP sink that prints every message Guichet sends',
    packages: [],
    async start(_args, log) {
      const sink = await startSmtpSink();
      let seen = 0;
      const timer = setInterval(() => {
        for (const m of sink.messages.slice(seen)) log(`mail to ${m.to.join(', ')}: ${m.subject}`);
        seen = sink.messages.length;
      }, 500);
      return {
        env: { SMTP_URL: sink.url },
        notes: ['messages are printed here as they arrive'],
        stop: async () => {
          clearInterval(timer);
          await sink.stop();
        },
      };
    },
  },
  knot: {
    description:
      "the operator's Knot serving parent zones (knot:zone,zone; default 2.0.192 and 2001:db8::/32)",
    packages: ['knot', 'knot-dnsutils'],
    async start(args) {
      const zones = args.length ? args : ['2.0.192.in-addr.arpa', '8.b.d.0.1.0.0.2.ip6.arpa'];
      const knot = await startKnot({ zones: zones.map((name) => ({ name, text: zoneText(name) })) });
      return {
        env: { RDNS_KNOT_CONF: knot.conf, RDNS_ZONE_DIR: `${knot.dir}/zones` },
        notes: [
          `serving ${zones.join(', ')} on ${knot.address}@${knot.port}`,
          `kdig @${knot.address} -p ${knot.port} SOA ${zones[0]}`,
          'declare the same zones in Guichet with createParentZone',
        ],
        stop: knot.stop,
      };
    },
  },
  bird: {
    description: 'a BIRD 2 daemon with a minimal configuration (its control socket printed)',
    packages: ['bird2'],
    async start() {
      const bird = await startBird({ config: 'router id 192.0.2.254;\nprotocol device { }\n' });
      return {
        env: {},
        notes: [`birdc -s ${bird.socket} show status`, `configuration: ${bird.configFile}`],
        stop: bird.stop,
      };
    },
  },
  ripe: {
    description: "a stand-in for the RIPE Database REST API (source TEST), speaking RIPE's JSON",
    packages: [],
    async start() {
      const key = { keyId: 'GUICHETDEVKEY00000000000', secret: 'dev-secret' };
      const ripe = await startRipeStandin({ source: 'TEST', apiKeys: [key] });
      return {
        env: { RIPE_API_URL: ripe.url, RIPE_API_KEY: `${key.keyId}:${key.secret}`, RIPE_SOURCE: 'TEST' },
        notes: ['objects are kept in memory until stop'],
        stop: ripe.stop,
      };
    },
  },
};
