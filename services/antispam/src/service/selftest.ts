import type { AntispamRuntime } from '../config.js';
import { domainProof } from '../dns.js';
import { directorySelfTest } from '../ldap/selftest.js';
import type { DirectorySpec, Finding, NextHop } from '../model.js';
import { nextHopSelfTest } from '../smtp/selftest.js';

/**
 * One self-test run of an onboarding: each domain's TXT proof (through the shared DNS client;
 * a domain Guichet already records for the institution needs none, service/proof.ts),
 * the directory (ldapts) and every next hop (SMTP), all in parallel and bounded together by
 * ANTISPAM_SELFTEST_TIMEOUT_SECONDS: a peer that hangs gives a finding when time is up, never a
 * run that outlives the bound.
 */

export interface SelfTestSubject {
  institutionId: string;
  domains: string[];
  directory: DirectorySpec;
  /** Opened from its seal just for this run; it goes into the bind and nowhere else. */
  bindPassword: string;
  nextHops: NextHop[];
  knownAddress: string;
  unknownAddress: string;
  /** Domains Guichet records for the institution (domain → the recorded name): no TXT asked. */
  recorded?: ReadonlyMap<string, string>;
}

const since = (t0: number) => Math.round(performance.now() - t0);

async function proveDomain(
  rt: AntispamRuntime,
  institutionId: string,
  domain: string,
  recordedAs?: string,
): Promise<Finding> {
  const t0 = performance.now();
  if (recordedAs)
    return {
      check: 'dns.proof',
      level: 'ok',
      target: domain,
      message: `${recordedAs} is registered for the institution through Guichet (domains line): no TXT proof needed`,
      ms: since(t0),
    };
  const want = domainProof(rt.config.ANTISPAM_TXT_LABEL, rt.secrets, institutionId, domain);
  try {
    const txt = await rt.dns.txt(want.name);
    const ok = txt.includes(want.value);
    return {
      check: 'dns.proof',
      level: ok ? 'ok' : 'error',
      target: domain,
      message: ok
        ? `${want.name} carries the institution's token`
        : `publish ${want.name} TXT "${want.value}" (found ${txt.length ? txt.map((t) => `"${t.slice(0, 80)}"`).join(', ') : 'no TXT record'})`,
      ms: since(t0),
    };
  } catch (e) {
    return {
      check: 'dns.proof',
      level: 'error',
      target: domain,
      message: `DNS could not tell whether ${want.name} exists: ${(e as Error).message}`,
      ms: since(t0),
    };
  }
}

export async function runSelfTests(
  rt: AntispamRuntime,
  s: SelfTestSubject,
): Promise<{ findings: Finding[]; ms: number }> {
  const t0 = performance.now();
  const budget = rt.config.ANTISPAM_SELFTEST_TIMEOUT_SECONDS * 1000;
  // Each peer gets most of the budget for itself; the race below is the hard bound.
  const each = Math.max(1000, budget - 2000);
  const parts: Promise<Finding[]>[] = [
    ...s.domains.map(async (d) => [await proveDomain(rt, s.institutionId, d, s.recorded?.get(d))]),
    directorySelfTest(s.directory, s.bindPassword, s.knownAddress, s.unknownAddress, each),
    ...s.nextHops.map((h) => nextHopSelfTest(h, s.unknownAddress, each)),
  ];
  const settled: (Finding[] | null)[] = parts.map(() => null);
  parts.forEach((p, i) => {
    p.then((f) => {
      settled[i] = f;
    });
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(parts),
    new Promise((resolve) => {
      timer = setTimeout(resolve, budget);
    }),
  ]);
  clearTimeout(timer);
  const findings = settled.flatMap(
    (f, i) =>
      f ?? [
        {
          check: 'selftest.timeout',
          level: 'error' as const,
          target:
            i < s.domains.length
              ? (s.domains[i] as string)
              : i === s.domains.length
                ? s.directory.url
                : 'next hop',
          message: `no result within ${budget / 1000} s`,
          ms: since(t0),
        },
      ],
  );
  return { findings, ms: since(t0) };
}
