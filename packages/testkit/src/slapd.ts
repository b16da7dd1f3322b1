import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay, spawnDaemon } from './daemon.js';

/**
 * A throwaway OpenLDAP slapd on 127.0.0.1 for peers-tier tests (recipe: reference/peers.md §7,
 * stack.md §8). Seeded offline with slapadd, spawned directly (no shell, so `pid` is slapd's own),
 * ready when an anonymous root-DSE search answers. Call `stop()` in afterAll; an exit hook also
 * kills it if the worker dies before that, so no daemon outlives the test run.
 */

export interface SlapdUser {
  uid: string;
  password: string;
  cn?: string;
  mail?: string;
  /** Stored with the eduPerson auxiliary class (schema written into the temp dir). */
  eppn?: string;
}

export interface SlapdGroup {
  cn: string;
  /** uids under ou=people. */
  members: string[];
}

export interface Slapd {
  url: string;
  port: number;
  suffix: string;
  pid: number;
  dir: string;
  /** rootdn and its password, to change the directory while it runs (ldapmodify, ldapts). */
  rootDn: string;
  rootPassword: string;
  /** Spawn → first good answer, in ms. */
  readyMs: number;
  userDn(uid: string): string;
  groupDn(cn: string): string;
  /** SIGTERM, SIGKILL after 3 s, then removes the directory. Idempotent. */
  stop(): Promise<void>;
}

export const SLAPD_SUFFIX = 'dc=renater-example,dc=fr';

/** jdupont: noc+desk; amartin: admin; pbernard: a valid account in no staff group. */
export const DEFAULT_USERS: SlapdUser[] = [
  {
    uid: 'jdupont',
    password: 'jdupont-pw',
    cn: 'Jeanne Dupont',
    mail: 'jeanne.dupont@renater-example.fr',
    eppn: 'jdupont@renater-example.fr',
  },
  { uid: 'amartin', password: 'amartin-pw', cn: 'Alain Martin', mail: 'alain.martin@renater-example.fr' },
  { uid: 'pbernard', password: 'pbernard-pw', cn: 'Paul Bernard' },
];
export const DEFAULT_GROUPS: SlapdGroup[] = [
  { cn: 'noc', members: ['jdupont'] },
  { cn: 'desk', members: ['jdupont'] },
  { cn: 'admins', members: ['amartin'] },
  { cn: 'cafeteria', members: ['pbernard', 'jdupont'] },
];

// The real eduPerson OIDs (1.3.6.1.4.1.5923.1.1.1.6 / .1.1.2): Debian ships no eduPerson schema,
// and only these two definitions are needed to carry an eppn.
const EDUPERSON_SCHEMA = `attributetype ( 1.3.6.1.4.1.5923.1.1.1.6 NAME 'eduPersonPrincipalName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.5923.1.1.2 NAME 'eduPerson' AUXILIARY MAY ( eduPersonPrincipalName ) )
`;

const READY_DEADLINE_MS = 10_000;
// Never read ~/.ldaprc or /etc/ldap/ldap.conf: the host's client settings must not leak in.
const CLIENT_ENV = { ...process.env, LDAPNOINIT: '1' };

export async function startSlapd(opts: { users?: SlapdUser[]; groups?: SlapdGroup[] } = {}): Promise<Slapd> {
  const users = opts.users ?? DEFAULT_USERS;
  const groups = opts.groups ?? DEFAULT_GROUPS;
  const dir = mkdtempSync(join(tmpdir(), 'guichet-slapd-'));
  try {
    const rootPassword = randomBytes(12).toString('hex');
    const conf = writeFiles(dir, rootPassword, users, groups);
    await run('slapadd', ['-q', '-f', conf, '-l', join(dir, 'seed.ldif')]);
    // A port freed a moment ago can be taken by someone else before slapd binds it: slapd then
    // exits at once ("bind failed"), and another free port is tried.
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(dir, conf, await freePort(), rootPassword);
      } catch (e) {
        if (attempt >= 3 || !(e instanceof SlapdExited)) throw e;
      }
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** The LDAP_* variables that point Guichet's staff login at this directory. */
export function ldapEnv(slapd: Pick<Slapd, 'url' | 'suffix'>): Record<string, string> {
  const g = (cn: string) => `cn=${cn},ou=groups,${slapd.suffix}`;
  return {
    LDAP_URL: slapd.url,
    LDAP_USER_DN: `uid={username},ou=people,${slapd.suffix}`,
    LDAP_GROUP_BASE: `ou=groups,${slapd.suffix}`,
    LDAP_ROLE_GROUPS: `noc=${g('noc')};desk=${g('desk')};admin=${g('admins')}`,
  };
}

class SlapdExited extends Error {}

async function launch(dir: string, conf: string, port: number, rootPassword: string): Promise<Slapd> {
  const url = `ldap://127.0.0.1:${port}`;
  const t0 = performance.now();
  // -d 0: stay in the foreground (no fork, so this PID is the daemon) and log nothing routine.
  const args = ['-d', '0', '-f', conf, '-h', `${url}/`];
  // setpriv (in spawnDaemon) gives slapd a parent-death signal: if the test worker is killed
  // outright, where neither afterAll nor an exit hook runs, the kernel kills slapd too.
  const daemon = spawnDaemon('slapd', args, dir, 4000);
  const { child, stop } = daemon;

  // Poll a real query; the short pause between polls only spaces them out (no fixed waits).
  const deadline = Date.now() + READY_DEADLINE_MS;
  for (;;) {
    if (daemon.exited()) {
      daemon.forget();
      await daemon.gone;
      throw new SlapdExited(
        `slapd exited (${child.exitCode ?? child.signalCode}) on port ${port}: ${daemon.stderr().trim()}`,
      );
    }
    if (await answers(url)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`slapd on ${url} not ready after ${READY_DEADLINE_MS} ms: ${daemon.stderr().trim()}`);
    }
    await delay(10);
  }
  const suffix = SLAPD_SUFFIX;
  return {
    url,
    port,
    suffix,
    pid: child.pid!,
    dir,
    rootDn: `cn=admin,${suffix}`,
    rootPassword,
    readyMs: Math.round(performance.now() - t0),
    userDn: (uid) => `uid=${uid},ou=people,${suffix}`,
    groupDn: (cn) => `cn=${cn},ou=groups,${suffix}`,
    stop,
  };
}

function writeFiles(dir: string, rootPassword: string, users: SlapdUser[], groups: SlapdGroup[]): string {
  const s = SLAPD_SUFFIX;
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'eduperson.schema'), EDUPERSON_SCHEMA);
  const conf = join(dir, 'slapd.conf');
  writeFileSync(
    conf,
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      'include /etc/ldap/schema/nis.schema',
      `include "${join(dir, 'eduperson.schema')}"`,
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      `pidfile "${join(dir, 'slapd.pid')}"`,
      `argsfile "${join(dir, 'slapd.args')}"`,
      'database mdb',
      'maxsize 104857600',
      `suffix "${s}"`,
      `rootdn "cn=admin,${s}"`,
      `rootpw ${ssha(rootPassword)}`,
      `directory "${join(dir, 'db')}"`,
      'index objectClass eq',
      'index member,memberUid,uniqueMember eq',
      // Like a real directory: hashes readable by nobody, binding possible for anyone.
      'access to attrs=userPassword by self write by anonymous auth by * none',
      'access to * by * read',
      '',
    ].join('\n'),
  );
  const entries = [
    `dn: ${s}\nobjectClass: dcObject\nobjectClass: organization\ndc: renater-example\no: RENATER example`,
    `dn: ou=people,${s}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ou=groups,${s}\nobjectClass: organizationalUnit\nou: groups`,
    ...users.map((u) => {
      const cn = u.cn ?? u.uid;
      return [
        `dn: uid=${u.uid},ou=people,${s}`,
        'objectClass: inetOrgPerson',
        ...(u.eppn ? ['objectClass: eduPerson', `eduPersonPrincipalName: ${u.eppn}`] : []),
        `uid: ${u.uid}`,
        `cn: ${cn}`,
        `sn: ${cn.split(' ').pop()}`,
        `displayName: ${cn}`,
        ...(u.mail ? [`mail: ${u.mail}`] : []),
        `userPassword: ${ssha(u.password)}`,
      ].join('\n');
    }),
    ...groups.map((g) => {
      // groupOfNames requires a member: an empty group holds a DN that names no one.
      const members = g.members.length ? g.members.map((m) => `uid=${m},ou=people,${s}`) : [`cn=nobody,${s}`];
      return [
        `dn: cn=${g.cn},ou=groups,${s}`,
        'objectClass: groupOfNames',
        `cn: ${g.cn}`,
        ...members.map((m) => `member: ${m}`),
      ].join('\n');
    }),
  ];
  writeFileSync(join(dir, 'seed.ldif'), `${entries.join('\n\n')}\n`);
  return conf;
}

/** `{SSHA}` as slappasswd makes it: base64(sha1(password + salt) + salt). */
function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      'ldapsearch',
      ['-x', '-H', url, '-b', '', '-s', 'base', '-o', 'nettimeout=1'],
      { env: CLIENT_ENV, timeout: 2000 },
      (err) => resolve(!err),
    );
  });
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: CLIENT_ENV }, (err, _out, stderr) =>
      err ? reject(new Error(`${cmd} failed: ${stderr.trim() || err.message}`)) : resolve(),
    );
  });
}

/** Last resort at process exit: only synchronous calls work here. */
