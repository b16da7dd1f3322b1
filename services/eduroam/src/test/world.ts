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
import { freshDatabase, type Knot, startKnot } from '@guichet/testkit';
import {
  actOnStep,
  type ComposedEnv,
  createEnv,
  getRequest,
  type RequestRow,
  requestDocument,
} from '@guichet/workflow';
import type { EduroamRuntime } from '../config.js';
import { dnsClientRealmDns } from '../dns.js';
import { PUBLISH_JOB } from '../job-names.js';
import { eduroamLine } from '../line.js';
import { requestActivation } from '../service/activation.js';

/**
 * An eduroam world for the service tests: a fresh database, a job runner with the workflow,
 * notification and eduroam jobs, two member institutions whose agreements do not open eduroam
 * yet (head, technical, security and eduroam contacts each), and a Knot serving their domains
 * (univ-a.example, univ-b.example) that realm proofs are looked up in.
 */

let seq = 0;
const sirens = ['732829320', '552100554', '542051180', '775670417', '402968393', '478208658'];

export const staffCtx = (roles: ('noc' | 'desk' | 'admin')[], username = roles.join('-')): RequestContext =>
  newRequestContext({
    actor: {
      kind: 'staff',
      id: newId(),
      username,
      displayName: username,
      roles,
      credential: { method: 'session', scope: 'write' },
    },
  });
export const desk = () => staffCtx(['desk'], 'desk');
export const noc = () => staffCtx(['noc'], 'noc');

export interface Member {
  id: string;
  name: string;
  domain: string;
  head: RequestContext;
  tech: RequestContext;
  techRead: RequestContext;
  eduroamContactId: string;
  headId: string;
}

export interface World {
  database: Database;
  runner: JobRunner;
  env: ComposedEnv;
  rt: EduroamRuntime;
  knot: Knot;
  a: Member;
  b: Member;
  /** A member institution more (no eduroam). */
  member(label: string, domain: string): Promise<Member>;
  /** Opens eduroam for a member the way people do: request, head's signature, desk's validation. */
  activate(m: Member): Promise<RequestRow>;
  /** Publishes the zone of `domain` with these extra records. */
  zone(domain: string, records: string[]): Promise<void>;
  stop(): Promise<void>;
}

const zoneText = (domain: string, records: string[]) =>
  [
    `$ORIGIN ${domain}.`,
    '$TTL 60',
    `@ IN SOA ns.${domain}. hostmaster.${domain}. ${Date.now() % 2_000_000_000} 3600 600 86400 60`,
    `@ IN NS ns.${domain}.`,
    'ns IN A 127.0.0.1',
    ...records,
  ].join('\n');

export async function startWorld(
  vars: Record<string, string> = {},
  runtime: Partial<EduroamRuntime> = {},
  options: { publishInBackground?: boolean } = {},
): Promise<World> {
  const database = await freshDatabase();
  const knot = await startKnot({
    zones: ['univ-a.example', 'univ-b.example', 'univ-c.example'].map((d) => ({
      name: d,
      text: zoneText(d, []),
    })),
  });
  const env = createEnv({
    database,
    lines: [eduroamLine],
    vars: {
      EDUROAM_ALLOW_PRIVATE_SERVERS: 'true',
      EDUROAM_PROBE_TIMEOUT_MS: '300',
      EDUROAM_PROBE_ATTEMPTS: '1',
      EDUROAM_RECOVERY_CHECK_SECONDS: '1',
      ...vars,
    },
    runtimes: {
      eduroam: (built) => ({
        ...built,
        dns: dnsClientRealmDns([`127.0.0.1:${knot.port}`], 1000),
        deploy: null,
        reload: null,
        ...runtime,
      }),
    },
  });
  // No probe round or purge on a schedule: the tests drive rounds themselves. A test that drives
  // publication itself turns the queued publish job off, or it races the test's own publishProxy.
  const publish = options.publishInBackground ?? true;
  const jobs = createJobRunner(database, {
    definitions: env
      .jobDefinitions()
      .filter((j) => !j.cron || j.name === PUBLISH_JOB)
      .map((j) => (j.name === PUBLISH_JOB && !publish ? { ...j, handler: async () => {} } : j)),
    logger: createLogger('silent'),
    pollingIntervalSeconds: 0.5,
  });
  env.attachJobs(jobs);
  await jobs.start();
  const rt = env.line('eduroam');

  const member = async (label: string, domain: string): Promise<Member> => {
    const n = ++seq;
    const db = database.db;
    const { institution, agreementVersion } = await createInstitution(db, desk(), {
      name: `Université ${label}`,
      shortName: `${label}-${n}-${Date.now() % 1e5}`,
      kind: 'tutelle',
      siren: sirens[(n - 1) % sirens.length] as string,
      collector: 'Collecte Example',
      mainSite: { name: 'Campus', address: '1 rue de la Paix', city: 'Lyon' },
      secondarySites: [],
      agreement: { conventionRef: 'CONV-1', charterRef: 'CHARTE-1', bandwidthMbps: 1000, services: ['ipam'] },
    });
    const person = (name: string, roles: ('head' | 'technical' | 'security' | 'eduroam')[], phone?: string) =>
      createContact(db, desk(), {
        institutionId: institution.id,
        name,
        email: `${name.toLowerCase().replace(/\W+/g, '.')}@${domain}`,
        ...(phone ? { phone } : {}),
        roles,
      });
    const head = await person('Hélène Head', ['head']);
    const tech = await person('Thomas Tech', ['technical']);
    const security = await person('Sam Secu', ['security']);
    const eduroam = await person('Eva Roam', ['eduroam'], '+33 4 72 00 00 01');
    await amendDraftVersion(db, desk(), agreementVersion.id, { securityContactId: security.id });
    const write = { method: 'token' as const, scope: 'write' as const, tokenId: newId() };
    const headActor = await contactActor(db, head.id, write);
    const techActor = await contactActor(db, tech.id, write);
    const techReadActor = await contactActor(db, tech.id, { ...write, scope: 'read' });
    if (!headActor || !techActor || !techReadActor) throw new Error('world: contacts');
    const { hash } = await renderVersion(db, agreementVersion.id);
    await signVersion(db, newRequestContext({ actor: headActor }), agreementVersion.id, {
      documentHash: hash,
    });
    await activateVersion(db, desk(), agreementVersion.id);
    return {
      id: institution.id,
      name: institution.name,
      domain,
      head: newRequestContext({ actor: headActor }),
      tech: newRequestContext({ actor: techActor }),
      techRead: newRequestContext({ actor: techReadActor }),
      eduroamContactId: eduroam.id,
      headId: head.id,
    };
  };

  const activate = async (m: Member) => {
    const filed = await requestActivation(env, m.tech, {
      institutionId: m.id,
      eduroamContactId: m.eduroamContactId,
    });
    const doc = await requestDocument(database.db, env, await getRequest(database.db, m.head, filed.id));
    if (!doc) throw new Error('world: the activation has no document to sign');
    await actOnStep(database.db, m.head, env, {
      requestId: filed.id,
      step: 'signature',
      decision: 'approve',
      data: { documentHash: doc.hash },
    });
    return actOnStep(database.db, desk(), env, {
      requestId: filed.id,
      step: 'validation',
      decision: 'approve',
    });
  };

  const a = await member('A', 'univ-a.example');
  const b = await member('B', 'univ-b.example');
  return {
    database,
    runner: jobs,
    env,
    rt,
    knot,
    a,
    b,
    member,
    activate,
    async zone(domain, records) {
      await knot.replaceZone({ name: domain, text: zoneText(domain, records) });
    },
    async stop() {
      await jobs.stop();
      await knot.stop();
      await database.close();
    },
  };
}
