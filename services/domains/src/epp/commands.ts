import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { EXTENSION_URIS, NS, OBJECT_URIS } from './ns.js';
import type { ContactSpec, DomainCreateSpec, DomainUpdateSpec, DsData } from './types.js';

/**
 * EPP commands as XML text, built with xmlbuilder2 (escaping and namespace declarations are the
 * library's). Each returns one complete `<epp>` document; tests validate every one against the
 * XSDs (xsd/). Element ORDER matters to the schemas: it follows RFC 5730–5733 and 5910.
 */

/** At most 7 names per `<check>` (AFNIC, fr-domains.md §4.3). */
export const MAX_CHECK = 7;

const doc = () => create({ version: '1.0', encoding: 'UTF-8', standalone: false });
const end = (d: XMLBuilder) => d.end({ prettyPrint: false });

function eppRoot(): { d: XMLBuilder; epp: XMLBuilder } {
  const d = doc();
  return { d, epp: d.ele(NS.epp, 'epp') };
}

/**
 * `<command>` with its verb; `fill` writes the object element under the verb and returns, if
 * any, a function that writes the `<extension>` children.
 */
function command(
  verb: string,
  clTRID: string,
  fill: (verb: XMLBuilder) => ((ext: XMLBuilder) => void) | undefined,
  attrs?: Record<string, string>,
): string {
  const { d, epp } = eppRoot();
  const cmd = epp.ele('command');
  const v = attrs ? cmd.ele(verb, attrs) : cmd.ele(verb);
  const ext = fill(v);
  if (ext) ext(cmd.ele('extension'));
  cmd.ele('clTRID').txt(clTRID);
  return end(d);
}

export function hello(): string {
  const { d, epp } = eppRoot();
  epp.ele('hello');
  return end(d);
}

export function login(
  clTRID: string,
  creds: { clID: string; pw: string; newPW?: string },
  extensions: readonly string[] = EXTENSION_URIS,
): string {
  return command('login', clTRID, (l) => {
    l.ele('clID').txt(creds.clID);
    l.ele('pw').txt(creds.pw);
    if (creds.newPW) l.ele('newPW').txt(creds.newPW);
    const o = l.ele('options');
    o.ele('version').txt('1.0');
    o.ele('lang').txt('en');
    const s = l.ele('svcs');
    for (const uri of OBJECT_URIS) s.ele('objURI').txt(uri);
    const e = s.ele('svcExtension');
    for (const uri of extensions) e.ele('extURI').txt(uri);
    return undefined;
  });
}

export function logout(clTRID: string): string {
  return command('logout', clTRID, () => undefined);
}

export function pollRequest(clTRID: string): string {
  return command('poll', clTRID, () => undefined, { op: 'req' });
}

export function pollAck(clTRID: string, msgID: string): string {
  return command('poll', clTRID, () => undefined, { op: 'ack', msgID });
}

export function domainCheck(clTRID: string, names: readonly string[]): string {
  if (names.length < 1 || names.length > MAX_CHECK) {
    throw new RangeError(`a check carries 1 to ${MAX_CHECK} names (got ${names.length})`);
  }
  return command('check', clTRID, (v) => {
    const c = v.ele(NS.domain, 'domain:check');
    for (const n of names) c.ele('domain:name').txt(n);
    return undefined;
  });
}

function dsData(parent: XMLBuilder, ds: DsData): void {
  const d = parent.ele('secDNS:dsData');
  d.ele('secDNS:keyTag').txt(String(ds.keyTag));
  d.ele('secDNS:alg').txt(String(ds.alg));
  d.ele('secDNS:digestType').txt(String(ds.digestType));
  d.ele('secDNS:digest').txt(ds.digest.toUpperCase());
}

function contacts(parent: XMLBuilder, prefix: 'domain' | 'frnic', admin: string, techs: readonly string[]) {
  parent.ele(`${prefix}:contact`, { type: 'admin' }).txt(admin);
  for (const t of techs) parent.ele(`${prefix}:contact`, { type: 'tech' }).txt(t);
}

export function domainCreate(clTRID: string, s: DomainCreateSpec): string {
  return command('create', clTRID, (v) => {
    const c = v.ele(NS.domain, 'domain:create');
    c.ele('domain:name').txt(s.name);
    c.ele('domain:period', { unit: 'y' }).txt(String(s.years));
    const ns = c.ele('domain:ns');
    for (const h of s.hosts) ns.ele('domain:hostObj').txt(h);
    c.ele('domain:registrant').txt(s.registrant);
    contacts(c, 'domain', s.admin, s.techs);
    c.ele('domain:authInfo').ele('domain:pw').txt(s.authPw);
    if (s.ds.length === 0) return undefined;
    return (ext) => {
      const sec = ext.ele(NS.secDNS, 'secDNS:create');
      for (const d of s.ds) dsData(sec, d);
    };
  });
}

export function domainInfo(clTRID: string, name: string, authPw?: string): string {
  return command('info', clTRID, (v) => {
    const i = v.ele(NS.domain, 'domain:info');
    i.ele('domain:name', { hosts: 'all' }).txt(name);
    if (authPw) i.ele('domain:authInfo').ele('domain:pw').txt(authPw);
    return undefined;
  });
}

export function domainUpdate(clTRID: string, s: DomainUpdateSpec): string {
  return command('update', clTRID, (v) => {
    const u = v.ele(NS.domain, 'domain:update');
    u.ele('domain:name').txt(s.name);
    const addRem = (tag: 'add' | 'rem', hosts?: string[], cts?: { type: string; id: string }[]) => {
      if (!hosts?.length && !cts?.length) return;
      const el = u.ele(`domain:${tag}`);
      if (hosts?.length) {
        const ns = el.ele('domain:ns');
        for (const h of hosts) ns.ele('domain:hostObj').txt(h);
      }
      for (const c of cts ?? []) el.ele('domain:contact', { type: c.type }).txt(c.id);
    };
    addRem('add', s.addHosts, s.addContacts);
    addRem('rem', s.remHosts, s.remContacts);
    if (s.authPw) u.ele('domain:chg').ele('domain:authInfo').ele('domain:pw').txt(s.authPw);
    if (!s.addDs?.length && !s.remDs?.length) return undefined;
    // AFNIC takes add/rem only: no maxSigLife change, no urgent (fr-domains.md §4.3).
    return (ext) => {
      const sec = ext.ele(NS.secDNS, 'secDNS:update');
      if (s.remDs?.length) {
        const r = sec.ele('secDNS:rem');
        for (const d of s.remDs) dsData(r, d);
      }
      if (s.addDs?.length) {
        const a = sec.ele('secDNS:add');
        for (const d of s.addDs) dsData(a, d);
      }
    };
  });
}

export function domainRenew(clTRID: string, name: string, curExpDate: string, years: number): string {
  return command('renew', clTRID, (v) => {
    const r = v.ele(NS.domain, 'domain:renew');
    r.ele('domain:name').txt(name);
    r.ele('domain:curExpDate').txt(curExpDate.slice(0, 10));
    r.ele('domain:period', { unit: 'y' }).txt(String(years));
    return undefined;
  });
}

export function domainDelete(clTRID: string, name: string): string {
  return command('delete', clTRID, (v) => {
    v.ele(NS.domain, 'domain:delete').ele('domain:name').txt(name);
    return undefined;
  });
}

/** RGP restore (RFC 3915 §4.2.5): an update with an empty `<chg>`; AFNIC takes `op="request"` only. */
export function domainRestore(clTRID: string, name: string): string {
  return command('update', clTRID, (v) => {
    const u = v.ele(NS.domain, 'domain:update');
    u.ele('domain:name').txt(name);
    u.ele('domain:chg');
    return (ext) => {
      ext.ele(NS.rgp, 'rgp:update').ele('rgp:restore', { op: 'request' });
    };
  });
}

/** Transfer in (`op="request"`): authInfo from the losing registrar, new contacts in frnic. */
export function domainTransfer(
  clTRID: string,
  s: { name: string; authPw: string; admin: string; techs: string[]; keepDS: boolean },
): string {
  return command(
    'transfer',
    clTRID,
    (v) => {
      const t = v.ele(NS.domain, 'domain:transfer');
      t.ele('domain:name').txt(s.name);
      t.ele('domain:authInfo').ele('domain:pw').txt(s.authPw);
      return (ext) => {
        const d = ext
          .ele(NS.frnic, 'frnic:ext')
          .ele('frnic:transfer')
          .ele('frnic:domain', { keepDS: s.keepDS ? '1' : '0' });
        contacts(d, 'frnic', s.admin, s.techs);
      };
    },
    { op: 'request' },
  );
}

/**
 * Holder change: not a `domain:update` but `frnic:trade`, a command carried in the top-level
 * `<extension>` (fr-domains.md §4.3), with the new registrant and contacts and `keepDS`.
 */
export function domainTrade(
  clTRID: string,
  s: { name: string; registrant: string; admin: string; techs: string[]; keepDS: boolean },
): string {
  const { d, epp } = eppRoot();
  const cmd = epp.ele('extension').ele(NS.frnic, 'frnic:ext').ele('frnic:command');
  const dom = cmd.ele('frnic:trade', { op: 'request' }).ele('frnic:domain', { keepDS: s.keepDS ? '1' : '0' });
  dom.ele('frnic:name').txt(s.name);
  dom.ele('frnic:registrant').txt(s.registrant);
  contacts(dom, 'frnic', s.admin, s.techs);
  cmd.ele('frnic:clTRID').txt(clTRID);
  return end(d);
}

export function hostCheck(clTRID: string, names: readonly string[]): string {
  return command('check', clTRID, (v) => {
    const c = v.ele(NS.host, 'host:check');
    for (const n of names) c.ele('host:name').txt(n);
    return undefined;
  });
}

export function hostCreate(clTRID: string, name: string, addrs: readonly string[]): string {
  return command('create', clTRID, (v) => {
    const c = v.ele(NS.host, 'host:create');
    c.ele('host:name').txt(name);
    for (const a of addrs) c.ele('host:addr', { ip: a.includes(':') ? 'v6' : 'v4' }).txt(a);
    return undefined;
  });
}

export function contactCreate(clTRID: string, s: ContactSpec): string {
  return command('create', clTRID, (v) => {
    const c = v.ele(NS.contact, 'contact:create');
    c.ele('contact:id').txt(s.id);
    const p = c.ele('contact:postalInfo', { type: 'loc' });
    p.ele('contact:name').txt(s.name);
    if (s.org) p.ele('contact:org').txt(s.org);
    const a = p.ele('contact:addr');
    for (const line of s.street.slice(0, 3)) a.ele('contact:street').txt(line);
    a.ele('contact:city').txt(s.city);
    if (s.pc) a.ele('contact:pc').txt(s.pc);
    a.ele('contact:cc').txt(s.cc);
    if (s.voice) c.ele('contact:voice').txt(s.voice);
    c.ele('contact:email').txt(s.email);
    c.ele('contact:authInfo').ele('contact:pw').txt(s.authPw);
    const le = s.legalEntity;
    // Only the holder carries frnic identification; admin and technical contacts are plain
    // RFC 5733 contacts (frnic-2.0 qualifies holders, not their staff: to verify in the guide).
    if (!le) return undefined;
    return (ext) => {
      const fc = ext.ele(NS.frnic, 'frnic:ext').ele('frnic:create').ele('frnic:contact');
      if (s.restrictedPublication) fc.ele('frnic:list').txt('restrictedPublication');
      const infos = fc.ele('frnic:legalEntityInfos');
      infos.ele('frnic:legalStatus', { s: le.legalStatus });
      if (le.siren) infos.ele('frnic:siren').txt(le.siren);
      if (le.waldec) infos.ele('frnic:asso').ele('frnic:waldec').txt(le.waldec);
    };
  });
}

export function contactInfo(clTRID: string, id: string): string {
  return command('info', clTRID, (v) => {
    v.ele(NS.contact, 'contact:info').ele('contact:id').txt(id);
    return undefined;
  });
}
