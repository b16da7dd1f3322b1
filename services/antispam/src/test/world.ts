import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, newId, newRequestContext, type RequestContext } from '@guichet/core';
import type { Database } from '@guichet/db';
import { createJobRunner, type JobRunner } from '@guichet/jobs';
import {
  activateVersion,
  amendDraftVersion,
  contactActor,
  createContact,
  createInstitution,
  renderVersion,
  signVersion,
} from '@guichet/membership';
import {
  freshDatabase,
  type Knot,
  type Slapd,
  type SmtpSink,
  startKnot,
  startSlapd,
  startSmtpSink,
} from '@guichet/testkit';
import { type ComposedEnv, createEnv } from '@guichet/workflow';
import { domainProof } from '../dns.js';
import { antispamLine } from '../line.js';

/**
 * An antispam world for the line's tests: a fresh database, a job runner, one member institution
 * with a technical contact, and its real peers on loopback — slapd (its directory), an
 * smtp-server sink (its mail server, refusing `nobody@`), Knot serving its two domains with the
 * TXT proofs — and a temporary ANTISPAM_POSTFIX_DIR.
 */

export const DOMAINS = ['renater-example.fr', 'renater-lab.example'];
export const UNKNOWN = 'nobody@renater-example.fr';
export const GATEWAY_MX = ['mx1.gateway.example', 'mx2.gateway.example'];

export const staffCtx = (roles: ('noc' | 'desk' | 'admin')[]): RequestContext =>
  newRequestContext({
    actor: {
      kind: 'staff',
      id: newId(),
      username: roles.join('-'),
      displayName: roles.join('-'),
      roles,
      credential: { method: 'session', scope: 'write' },
    },
  });

export interface World {
  database: Database;
  env: ComposedEnv;
  runner: JobRunner;
  slapd: Slapd;
  sink: SmtpSink;
  knot: Knot;
  postfixDir: string;
  institutionId: string;
  tech: RequestContext;
  stop(): Promise<void>;
}

const zoneText = (domain: string, records: string[]) =>
  [
    `$ORIGIN ${domain}.`,
    '$TTL 60',
    `@ SOA ns.${domain}. hostmaster.${domain}. 1 60 60 600 60`,
    `@ NS ns.${domain}.`,
    'ns A 127.0.0.1',
    ...records,
  ].join('\n');

export async function startWorld(): Promise<World> {
  const database = await freshDatabase();
  const [slapd, sink] = await Promise.all([startSlapd(), startSmtpSink({ rejectRecipients: [UNKNOWN] })]);
  const postfixDir = mkdtempSync(join(tmpdir(), 'guichet-antispam-live-'));
  // The proofs depend on the institution id: Knot starts empty, the zones follow the institution.
  const knot = await startKnot({ zones: DOMAINS.map((d) => ({ name: d, text: zoneText(d, []) })) });
  const env = createEnv({
    database,
    lines: [antispamLine],
    vars: {
      ANTISPAM_ALLOW_PRIVATE_HOSTS: 'true',
      ANTISPAM_DNS_SERVERS: `127.0.0.1:${knot.port}`,
      ANTISPAM_POSTFIX_DIR: postfixDir,
      ANTISPAM_SELFTEST_TIMEOUT_SECONDS: '10',
      // The cut-over poll asks the domains' authoritative server (this Knot) on its port.
      ANTISPAM_DNS_AUTH_PORT: String(knot.port),
      ANTISPAM_MX_HOSTS: GATEWAY_MX.join(','),
    },
  });
  const runner = createJobRunner(database, {
    definitions: env.jobDefinitions().filter((j) => !j.cron),
    logger: createLogger('silent'),
    pollingIntervalSeconds: 0.5,
  });
  env.attachJobs(runner);
  await runner.start();

  const desk = staffCtx(['desk']);
  const db = database.db;
  const { institution, agreementVersion } = await createInstitution(db, desk, {
    name: 'Université Antispam',
    shortName: `as-${Date.now() % 1e6}`,
    kind: 'tutelle',
    siren: '732829320',
    collector: 'Collecte Example',
    mainSite: { name: 'Campus', address: '1 rue de la Paix', city: 'Lyon' },
    secondarySites: [],
    agreement: { conventionRef: 'CONV-1', charterRef: 'CHARTE-1', bandwidthMbps: 1000, services: ['ipam'] },
  });
  const person = (name: string, roles: ('head' | 'technical' | 'security')[]) =>
    createContact(db, desk, {
      institutionId: institution.id,
      name,
      email: `${name.toLowerCase().replace(/\W+/g, '.')}@renater-example.fr`,
      roles,
    });
  const head = await person('Hélène Head', ['head']);
  const tech = await person('Thomas Tech', ['technical']);
  const security = await person('Sam Secu', ['security']);
  await amendDraftVersion(db, desk, agreementVersion.id, { securityContactId: security.id });
  const write = { method: 'token' as const, scope: 'write' as const, tokenId: newId() };
  const headActor = await contactActor(db, head.id, write);
  const techActor = await contactActor(db, tech.id, write);
  if (!headActor || !techActor) throw new Error('world: contacts');
  const { hash } = await renderVersion(db, agreementVersion.id);
  await signVersion(db, newRequestContext({ actor: headActor }), agreementVersion.id, { documentHash: hash });
  await activateVersion(db, desk, agreementVersion.id);

  const rt = env.line('antispam');
  for (const d of DOMAINS) {
    const p = domainProof(rt.config.ANTISPAM_TXT_LABEL, rt.secrets, institution.id, d);
    await knot.replaceZone({ name: d, text: zoneText(d, [`${p.name}. TXT "${p.value}"`]) });
  }
  return {
    database,
    env,
    runner,
    slapd,
    sink,
    knot,
    postfixDir,
    institutionId: institution.id,
    tech: newRequestContext({ actor: techActor }),
    async stop() {
      await runner.stop();
      await Promise.all([slapd.stop(), sink.stop(), knot.stop()]);
      await database.close();
      rmSync(postfixDir, { recursive: true, force: true });
    },
  };
}
