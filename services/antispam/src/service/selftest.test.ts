import { createServer, type Server } from 'node:net';
import { createSecretBox, newSecretsKey, parseSecretsKey } from '@guichet/core';
import { type Knot, type Slapd, type SmtpSink, startKnot, startSlapd, startSmtpSink } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { antispamRuntime, parseAntispamConfig } from '../config.js';
import { domainProof } from '../dns.js';
import { directorySelfTest } from '../ldap/selftest.js';
import { nextHopSelfTest } from '../smtp/selftest.js';
import { runSelfTests, type SelfTestSubject } from './selftest.js';

/**
 * The self-tests against real peers on loopback: slapd (ldapts bind + searches), an SMTP server
 * (smtp-server, refusing the unknown address with 550), Knot serving the TXT proof; and what an
 * outage, a wrong password and a server that never answers give: findings, never a throw.
 */

const INST = '00000000-0000-4000-8000-0000000000aa';
const secrets = createSecretBox(parseSecretsKey(newSecretsKey()));
let slapd: Slapd;
let sink: SmtpSink;
let knot: Knot;
let silent: Server;
let silentPort: number;
const held = new Set<import('node:net').Socket>();

const subject = (over: Partial<SelfTestSubject> = {}): SelfTestSubject => ({
  institutionId: INST,
  domains: ['renater-example.fr'],
  directory: {
    url: slapd.url,
    base: `ou=people,${slapd.suffix}`,
    filter: '(mail=%s)',
    bindDn: slapd.userDn('pbernard'),
    resultAttribute: 'mail',
    startTls: false,
  },
  bindPassword: 'pbernard-pw',
  nextHops: [{ host: '127.0.0.1', port: sink.port }],
  knownAddress: 'jeanne.dupont@renater-example.fr',
  unknownAddress: 'nobody@renater-example.fr',
  ...over,
});

beforeAll(async () => {
  slapd = await startSlapd();
  sink = await startSmtpSink({ rejectRecipients: ['nobody@renater-example.fr'] });
  const proof = domainProof('_guichet-antispam', secrets, INST, 'renater-example.fr');
  knot = await startKnot({
    zones: [
      {
        name: 'renater-example.fr',
        text: [
          '$ORIGIN renater-example.fr.',
          '$TTL 60',
          '@ SOA ns.renater-example.fr. hostmaster.renater-example.fr. 1 60 60 600 60',
          '@ NS ns',
          'ns A 127.0.0.1',
          `${proof.name}. TXT "${proof.value}"`,
        ].join('\n'),
      },
    ],
  });
  // Accepts connections and never says a word: the budget, not the peer, ends the run.
  silent = createServer((c) => {
    held.add(c);
    c.on('close', () => held.delete(c));
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as { port: number }).port;
}, 60_000);
afterAll(async () => {
  await Promise.all([slapd?.stop(), sink?.stop(), knot?.stop()]);
  for (const c of held) c.destroy();
  await new Promise((r) => silent?.close(r));
});

describe('directory self-test (ldapts against slapd)', () => {
  it('binds, finds the known address and not the unknown one', async () => {
    const f = await directorySelfTest(
      subject().directory,
      'pbernard-pw',
      'Jeanne.Dupont@renater-example.fr',
      'nobody@renater-example.fr',
      5000,
    );
    expect(f.map((x) => [x.check, x.level])).toEqual([
      ['ldap.bind', 'ok'],
      ['ldap.known', 'ok'],
      ['ldap.unknown', 'ok'],
    ]);
  });

  it('a wrong password is a clear bind finding, and the password is in no message', async () => {
    const f = await directorySelfTest(
      subject().directory,
      'wrong-pw-XYZ',
      'a@renater-example.fr',
      'b@renater-example.fr',
      5000,
    );
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ check: 'ldap.bind', level: 'error' });
    expect(f[0]?.message).toMatch(/refused|Invalid credentials/i);
    expect(JSON.stringify(f)).not.toContain('wrong-pw-XYZ');
  });

  it('an injection in the address matches nothing', async () => {
    const f = await directorySelfTest(
      subject().directory,
      'pbernard-pw',
      'jeanne.dupont@renater-example.fr',
      '*)(mail=*',
      5000,
    );
    expect(f.find((x) => x.check === 'ldap.unknown')?.level).toBe('ok');
  });

  it('a directory that is down is a finding', async () => {
    const f = await directorySelfTest(
      { ...subject().directory, url: `ldap://127.0.0.1:${silentPort + 0}` },
      'x',
      'a@b.fr',
      'c@b.fr',
      1500,
    );
    expect(f.at(-1)?.level).toBe('error');
  });
});

describe('next-hop self-test (SMTP)', () => {
  it('banner, STARTTLS (not offered by the sink: a warning), unknown refused at RCPT', async () => {
    const f = await nextHopSelfTest(
      { host: '127.0.0.1', port: sink.port },
      'nobody@renater-example.fr',
      5000,
    );
    expect(f.map((x) => [x.check, x.level])).toEqual([
      ['smtp.connect', 'ok'],
      ['smtp.starttls', 'warning'],
      ['smtp.rcpt', 'ok'],
    ]);
    expect(f[2]?.message).toContain('550');
    expect(sink.messages).toHaveLength(0);
  });

  it('a server that accepts the unknown address is an error', async () => {
    const f = await nextHopSelfTest(
      { host: '127.0.0.1', port: sink.port },
      'someone@renater-example.fr',
      5000,
    );
    expect(f.find((x) => x.check === 'smtp.rcpt')?.level).toBe('error');
  });

  it('a closed port is an unreachable finding', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const f = await nextHopSelfTest({ host: '127.0.0.1', port }, 'x@y.fr', 2000);
    expect(f).toEqual([expect.objectContaining({ check: 'smtp.connect', level: 'error' })]);
    expect(f[0]?.message).toMatch(/unreachable.*ECONNREFUSED/);
  });
});

describe('one run', () => {
  const rt = () =>
    antispamRuntime(
      parseAntispamConfig({
        ANTISPAM_DNS_SERVERS: `127.0.0.1:${knot.port}`,
        ANTISPAM_SELFTEST_TIMEOUT_SECONDS: '5',
      }),
      secrets,
    );

  it('proves the domain in DNS and passes every check, well within the bound', async () => {
    const { findings, ms } = await runSelfTests(rt(), subject());
    expect(findings.filter((f) => f.level === 'error')).toEqual([]);
    expect(findings.find((f) => f.check === 'dns.proof')?.level).toBe('ok');
    expect(ms).toBeLessThan(5000);
  });

  it('a missing TXT record says which record to publish', async () => {
    const { findings } = await runSelfTests(
      rt(),
      subject({ institutionId: '00000000-0000-4000-8000-0000000000bb' }),
    );
    const proof = findings.find((f) => f.check === 'dns.proof');
    expect(proof).toMatchObject({ level: 'error' });
    expect(proof?.message).toMatch(/^publish _guichet-antispam\.renater-example\.fr TXT "guichet-antispam=/);
  });

  it('a next hop that never answers ends the run at the bound with a finding', async () => {
    const t0 = performance.now();
    const { findings } = await runSelfTests(
      rt(),
      subject({ nextHops: [{ host: '127.0.0.1', port: silentPort }] }),
    );
    expect(performance.now() - t0).toBeLessThan(6500);
    expect(findings.some((f) => f.level === 'error' && /smtp|selftest/.test(f.check))).toBe(true);
  }, 15_000);
});
