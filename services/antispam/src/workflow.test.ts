import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from '@guichet/core';
import { eq } from '@guichet/db';
import { until } from '@guichet/testkit';
import { actOnStep, fileRequest, getRequest, listResources, recordResource } from '@guichet/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onboardingPayload } from './service/onboarding.js';
import { recordedDomains } from './service/proof.js';
import { bindSecrets, domains, onboardings } from './tables.js';
import { DOMAINS, staffCtx, startWorld, UNKNOWN, type World } from './test/world.js';
import { ONBOARDING_REQUEST } from './workflow.js';

/**
 * A technical contact onboards two domains whose directory is a real slapd and whose mail server
 * is a real SMTP server on loopback: the self-tests pass, the NOC validates, the gateway's maps
 * are published (postfix check) and answer through `postmap -q` against slapd; a wrong bind
 * password returns the request with a clear finding, and configures nothing.
 */

let w: World;
beforeAll(async () => {
  w = await startWorld();
}, 90_000);
afterAll(async () => {
  await w?.stop();
});

const input = (over: { bindPassword?: string; domains?: string[] } = {}) => ({
  domains: over.domains ?? DOMAINS,
  directory: {
    url: w.slapd.url,
    base: `ou=people,${w.slapd.suffix}`,
    filter: '(mail=%s)',
    bindDn: w.slapd.userDn('pbernard'),
    bindPassword: over.bindPassword ?? 'pbernard-pw',
    startTls: false,
  },
  nextHops: [{ host: '127.0.0.1', port: w.sink.port }],
  knownAddress: 'jeanne.dupont@renater-example.fr',
  unknownAddress: UNKNOWN,
  allowPlainLdap: true,
});

/** Files as the desk: slapd in tests speaks plain LDAP, and only staff may waive TLS. */
async function file(over: Parameters<typeof input>[0] = {}) {
  const desk = staffCtx(['desk']);
  const payload = await onboardingPayload(w.env, desk, w.institutionId, input(over));
  return fileRequest(w.database.db, desk, w.env, {
    kind: ONBOARDING_REQUEST,
    institutionId: w.institutionId,
    payload,
  });
}

const settled = (id: string, status: string) =>
  until(
    `request ${status}`,
    async () => {
      const r = await getRequest(w.database.db, staffCtx(['noc']), id);
      return r.status === status || (status === 'noc' && r.currentStep === 'noc-validation') ? r : undefined;
    },
    40_000,
  );

describe('antispam.onboarding', () => {
  it('a wrong bind password returns the request with a clear finding; nothing is configured', async () => {
    const filed = await file({ bindPassword: 'not-the-password' });
    const r = await settled(filed.id, 'returned');
    expect(r.reason).toMatch(/ldap\.bind .*refused or failed/);
    const [ob] = await w.database.db.select().from(onboardings).where(eq(onboardings.requestId, filed.id));
    expect(ob?.state).toBe('returned');
    expect(ob?.findings.find((f) => f.check === 'ldap.bind')?.level).toBe('error');
    const ds = await w.database.db
      .select()
      .from(domains)
      .where(eq(domains.onboardingId, ob?.id as string));
    expect(ds.every((d) => d.state === 'withdrawn')).toBe(true);
    // Never in clear at rest, never in the request, never in the findings.
    const stored = JSON.stringify({
      ob,
      payload: r.payload,
      secrets: await w.database.db.select().from(bindSecrets),
    });
    expect(stored).not.toContain('not-the-password');
  }, 60_000);

  it('a domain Guichet registers for the institution (domains line) needs no TXT proof', async () => {
    // As the domains line leaves a registered name: a resource of the common view, no TXT in DNS.
    const record = (name: string, state: 'active' | 'requested') =>
      w.database.db.transaction((tx) =>
        recordResource(tx, staffCtx(['desk']), {
          line: 'domains',
          type: 'domain',
          objectId: randomUUID(),
          institutionId: w.institutionId,
          name,
          state,
          lineState: state,
        }),
      );
    await record('registered-univ.example', 'active');
    await record('pending-univ.example', 'requested');
    const sub = 'lists.registered-univ.example';
    expect(
      Object.fromEntries(
        await recordedDomains(w.database.db, w.institutionId, [
          sub,
          'registered-univ.example',
          'xregistered-univ.example',
          'pending-univ.example',
        ]),
      ),
    ).toEqual({ [sub]: 'registered-univ.example', 'registered-univ.example': 'registered-univ.example' });

    const filed = await file({ domains: ['renater-example.fr', sub] });
    const waiting = await settled(filed.id, 'noc');
    const [ob] = await w.database.db.select().from(onboardings).where(eq(onboardings.requestId, filed.id));
    const proof = ob?.findings.find((f) => f.check === 'dns.proof' && f.target === sub);
    expect(proof).toMatchObject({ level: 'ok' });
    expect(proof?.message).toMatch(
      /registered-univ\.example is registered for the institution through Guichet/,
    );
    const held = await file({ domains: ['renater-example.fr', 'pending-univ.example'] }).catch((e) => e);
    expect(held.code).toBe('CONFLICT'); // renater-example.fr is live for the request above
    await actOnStep(w.database.db, staffCtx(['noc']), w.env, {
      requestId: waiting.id,
      step: 'noc-validation',
      decision: 'reject',
      reason: 'the test goes no further',
    });
    // A name only requested from the domains line proves nothing: its TXT is asked, and missing.
    const other = await file({ domains: ['renater-example.fr', 'pending-univ.example'] });
    const returned = await settled(other.id, 'returned');
    expect(returned.reason).toMatch(/dns\.proof/);
  }, 90_000);

  it('the self-tests pass, the NOC validates, the maps are published and answer via postmap -q', async () => {
    const t0 = performance.now();
    const filed = await file();
    const waiting = await settled(filed.id, 'noc');
    const selfTestMs = performance.now() - t0;
    const [ob] = await w.database.db.select().from(onboardings).where(eq(onboardings.requestId, filed.id));
    expect(ob?.state).toBe('tested');
    const checks = Object.fromEntries((ob?.findings ?? []).map((f) => [`${f.check} ${f.target}`, f.level]));
    expect(checks).toMatchObject({
      'dns.proof renater-example.fr': 'ok',
      'dns.proof renater-lab.example': 'ok',
      [`ldap.bind ${w.slapd.url}`]: 'ok',
      'ldap.known jeanne.dupont@renater-example.fr': 'ok',
      [`ldap.unknown ${UNKNOWN}`]: 'ok',
      [`smtp.connect 127.0.0.1:${w.sink.port}`]: 'ok',
      [`smtp.starttls 127.0.0.1:${w.sink.port}`]: 'warning',
      [`smtp.rcpt ${UNKNOWN}`]: 'ok',
    });
    expect(selfTestMs).toBeLessThan(60_000);

    await actOnStep(w.database.db, staffCtx(['noc']), w.env, {
      requestId: waiting.id,
      step: 'noc-validation',
      decision: 'approve',
    });
    await settled(filed.id, 'completed');
    const ds = await w.database.db
      .select()
      .from(domains)
      .where(eq(domains.onboardingId, ob?.id as string));
    expect(ds.map((d) => [d.domain, d.state]).sort()).toEqual(DOMAINS.map((d) => [d, 'configured']).sort());
    const res = await listResources(w.database.db, { line: 'antispam' }, undefined, 10);
    expect(
      res
        .filter((x) => x.lineState === 'configured')
        .map((x) => x.name)
        .sort(),
    ).toEqual([...DOMAINS].sort());

    const current = join(w.postfixDir, 'current');
    expect(readFileSync(join(current, 'relay_domains'), 'utf8')).toBe(
      `${DOMAINS.map((d) => `${d}\tOK`)
        .sort()
        .join('\n')}\n`,
    );
    const map = `ldap:${current}/ldap/${ob?.id}.cf`;
    const known = await runTool('postmap', ['-q', 'jeanne.dupont@renater-example.fr', map], {
      timeoutMs: 10_000,
    });
    expect(known.code).toBe(0);
    const unknown = await runTool('postmap', ['-q', UNKNOWN, map], { timeoutMs: 10_000 });
    expect(unknown.code).toBe(1);
  }, 90_000);

  it('a domain already on the gateway is refused at filing (conflict), nothing written', async () => {
    await expect(file({ domains: ['renater-example.fr'] })).rejects.toMatchObject({ code: 'CONFLICT' });
  }, 30_000);

  it('a technical contact may not waive TLS', async () => {
    await expect(onboardingPayload(w.env, w.tech, w.institutionId, input())).rejects.toMatchObject({
      code: 'POLICY_REFUSAL',
    });
    const { allowPlainLdap: _a, ...rest } = input();
    await expect(onboardingPayload(w.env, w.tech, w.institutionId, rest)).rejects.toMatchObject({
      code: 'POLICY_REFUSAL',
    });
  });
});
