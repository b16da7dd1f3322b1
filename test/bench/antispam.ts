import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadReport } from './load.js';
import { fmt, median, table } from './util.js';

/*
 * Section "antispam" of `pnpm bench` (issue #13's two ratios).
 *
 *   1. The gateway's Postfix maps for 500 domains of 50 institutions (relay_domains, transport,
 *      one ldap map each): render, write the release, `postfix check` + one `postmap -q -` of
 *      every relay domain (checkRelease), against checkRelease of an empty platform (postfix
 *      check of the minimal configuration), interleaved ABAB.
 *   2. One institution's self-tests (runSelfTests: LDAP bind + known/unknown searches, one next
 *      hop's banner/EHLO/STARTTLS/MAIL/RCPT) against a real slapd and an smtp-server sink,
 *      against a bare `ldapsearch` of the known address + a TCP connect that reads the banner.
 *      The domain is passed as recorded by Guichet, so no DNS is asked (the TXT proof needs a
 *      Knot; a loopback query is ~1 ms).
 *
 * BENCH_ANTISPAM=0 skips it (run.ts).
 */

const RUNS = 5;

async function timeIt<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await f();
  return [performance.now() - t0, v];
}

async function mapsPart(failures: string[]) {
  const { checkRelease, renderMaps, writeRelease } = await import('@guichet/antispam');
  const many = Array.from({ length: 50 }, (_, i) => ({
    mapId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    domains: Array.from({ length: 10 }, (_, j) => `d${j}.inst${i}.example`),
    directory: {
      url: 'ldap://127.0.0.1:3890',
      base: 'ou=people,dc=example',
      filter: '(mail=%s)',
      bindDn: 'cn=postfix,dc=example',
      resultAttribute: 'mail',
      startTls: false,
    },
    bindPassword: 'bench-pw',
    nextHops: [{ host: '127.0.0.1', port: 2626 }],
  }));
  const base = mkdtempSync(join(tmpdir(), 'bench-antispam-'));
  const full: number[] = [];
  const minimal: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++)
      for (const [list, into] of [
        [many, full],
        [[], minimal],
      ] as const) {
        const dir = join(base, `r${i}-${list.length}`);
        const [ms, r] = await timeIt(async () => {
          const maps = renderMaps(list);
          writeRelease(dir, maps);
          return checkRelease(dir, maps);
        });
        if (!r.ok) failures.push(`antispam: postfix check refused a release: ${r.errors.join('; ')}`);
        into.push(ms);
      }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  return { full, minimal };
}

const banner = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const c = createConnection(port, '127.0.0.1');
    c.once('data', () => {
      c.end('QUIT\r\n');
      c.destroy();
      resolve();
    });
    c.once('error', reject);
  });

async function selfTestPart(failures: string[]) {
  const { antispamRuntime, parseAntispamConfig, runSelfTests } = await import('@guichet/antispam');
  const { createSecretBox, newSecretsKey, parseSecretsKey, runTool } = await import('@guichet/core');
  const { startSlapd, startSmtpSink } = await import('@guichet/testkit');
  const slapd = await startSlapd();
  const sink = await startSmtpSink({ rejectRecipients: ['nobody@renater-example.fr'] });
  const rt = antispamRuntime(
    parseAntispamConfig({ ANTISPAM_ALLOW_PRIVATE_HOSTS: 'true', ANTISPAM_SELFTEST_TIMEOUT_SECONDS: '10' }),
    createSecretBox(parseSecretsKey(newSecretsKey())),
  );
  const domain = 'renater-example.fr';
  const subject = {
    institutionId: '00000000-0000-4000-8000-0000000000aa',
    domains: [domain],
    recorded: new Map([[domain, domain]]),
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
  };
  const self: number[] = [];
  const bare: number[] = [];
  try {
    for (let i = 0; i < RUNS + 1; i++) {
      const [ms, r] = await timeIt(() => runSelfTests(rt, subject));
      const errors = r.findings.filter((f) => f.level === 'error');
      if (errors.length)
        failures.push(`antispam: self-tests failed: ${errors.map((e) => e.message).join('; ')}`);
      const [bms] = await timeIt(async () => {
        const s = await runTool(
          'ldapsearch',
          [
            '-x',
            '-H',
            slapd.url,
            '-D',
            slapd.userDn('pbernard'),
            '-w',
            'pbernard-pw',
            '-b',
            `ou=people,${slapd.suffix}`,
            '(mail=jeanne.dupont@renater-example.fr)',
            'mail',
          ],
          { timeoutMs: 10_000 },
        );
        if (s.code !== 0) failures.push(`antispam: ldapsearch exited ${s.code}`);
        await banner(sink.port);
      });
      // The first round warms both up (module loading, slapd's caches).
      if (i > 0) {
        self.push(ms);
        bare.push(bms);
      }
    }
  } finally {
    await sink.stop();
    await slapd.stop();
  }
  return { self, bare };
}

export async function antispamSection(): Promise<LoadReport> {
  const failures: string[] = [];
  const m = await mapsPart(failures);
  const s = await selfTestPart(failures);
  const lines = [
    `## antispam (median of ${RUNS})`,
    '',
    table(
      ['case', 'median ms', 'runs ms'],
      [
        [
          'render + write + postfix check, 500 domains / 50 institutions',
          fmt(median(m.full)),
          m.full.map((x) => fmt(x)).join(' '),
        ],
        [
          'postfix check, minimal configuration',
          fmt(median(m.minimal)),
          m.minimal.map((x) => fmt(x)).join(' '),
        ],
        [
          'self-tests of one institution (LDAP + one next hop)',
          fmt(median(s.self)),
          s.self.map((x) => fmt(x)).join(' '),
        ],
        ['bare ldapsearch + SMTP connect (banner)', fmt(median(s.bare)), s.bare.map((x) => fmt(x)).join(' ')],
      ],
    ),
  ];
  return {
    text: lines.join('\n'),
    ratios: [
      ['antispam render + check 500 domains / minimal postfix check', median(m.full) / median(m.minimal)],
      ['antispam self-tests one institution / bare ldapsearch + connect', median(s.self) / median(s.bare)],
    ],
    failures,
  };
}
