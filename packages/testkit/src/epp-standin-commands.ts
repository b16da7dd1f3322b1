import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { del, poll, renew, trade, transfer, update } from './epp-standin-lifecycle.js';
import {
  addYears,
  contactsOf,
  type EppState,
  fail,
  list,
  low,
  type Node,
  readDs,
  type StandinDomain,
  text,
} from './epp-standin-state.js';
import { type Answer, EPP_NS } from './epp-xml.js';

/**
 * The stand-in registry's answer to each command (epp-standin.ts speaks the wire; its objects
 * are in epp-standin-state.ts, a domain's later changes in epp-standin-lifecycle.ts). AFNIC's rules it enforces: ≤ 7 names per check, reserved names need prior review,
 * forbidden names are refused, exactly 1 admin and 1–3 tech contacts and no billing, period
 * 1–10 years, holders identified by SIREN/SIRET, holder change only through frnic:trade,
 * deletion → 30-day redemption with restore, no deletion while the domain's hosts serve others.
 */

function check(state: EppState, c: Node): Answer {
  const names = list(c.name).map((n) => low(text(n)));
  if (names.length > 7) return fail(2306, 'at most 7 names per check');
  const taken = (n: string) => state.domains.has(n);
  return {
    code: 1000,
    resData: (r) => {
      const d = r.ele(EPP_NS.domain, 'domain:chkData');
      for (const n of names) {
        const cd = d.ele('domain:cd');
        const avail = !taken(n) && !state.forbidden.has(n) && !state.reserved.has(n);
        cd.ele('domain:name', { avail: avail ? '1' : '0' }).txt(n);
        if (!avail)
          cd.ele('domain:reason').txt(
            taken(n) ? 'In use' : state.forbidden.has(n) ? 'Forbidden name' : 'Reserved name',
          );
      }
    },
    extension: (e) => {
      const d = e
        .ele(EPP_NS.frnic, 'frnic:ext')
        .ele('frnic:resData')
        .ele('frnic:chkData')
        .ele('frnic:domain');
      for (const n of names) {
        const cd = d.ele('frnic:cd');
        cd.ele('frnic:name', {
          reserved: state.reserved.has(n) ? '1' : '0',
          forbidden: state.forbidden.has(n) ? '1' : '0',
        }).txt(n);
        const rsv = state.reserved.get(n);
        const fbd = state.forbidden.get(n);
        if (rsv) cd.ele('frnic:rsvReason').txt(rsv);
        if (fbd) cd.ele('frnic:fbdReason').txt(fbd);
      }
    },
  };
}

function createContact(state: EppState, c: Node, ext: Node): Answer {
  const id = text(list(c.id)[0]);
  if (state.contacts.has(id)) return fail(2302);
  const le = list(ext?.ext?.create?.contact)[0]?.legalEntityInfos;
  const siren = le ? text(le.siren) : '';
  if (le && siren && !/^[0-9]{9}([0-9]{5})?$/.test(siren)) return fail(2005, 'siren: 9 or 14 digits');
  state.contacts.set(id, {
    id,
    name: text(list(c.postalInfo?.name)[0]),
    email: text(c.email),
    ...(siren ? { siren } : {}),
    ...(le ? { legalStatus: String(le.legalStatus?.['@s'] ?? '') } : {}),
    clID: state.clID,
  });
  const now = state.now();
  return {
    code: 1000,
    resData: (r) => {
      const d = r.ele(EPP_NS.contact, 'contact:creData');
      d.ele('contact:id').txt(id);
      d.ele('contact:crDate').txt(now.toISOString());
    },
  };
}

function createHost(state: EppState, h: Node): Answer {
  const name = low(text(list(h.name)[0]));
  if (state.hosts.has(name)) return fail(2302);
  const addrs = list(h.addr).map(text);
  // Glue only for a host inside a .fr domain (AFNIC: host objects, no host attributes).
  if (addrs.length && !name.endsWith('.fr')) return fail(2306, 'addresses only for hosts under .fr');
  state.hosts.set(name, { name, addrs, clID: state.clID });
  return {
    code: 1000,
    resData: (r) => {
      const d = r.ele(EPP_NS.host, 'host:creData');
      d.ele('host:name').txt(name);
      d.ele('host:crDate').txt(state.now().toISOString());
    },
  };
}

function createDomain(state: EppState, c: Node, ext: Node): Answer {
  const name = low(text(list(c.name)[0]));
  if (state.domains.has(name)) return fail(2302);
  const fbd = state.forbidden.get(name);
  if (fbd) return fail(2306, `forbidden name: ${fbd}`);
  const rsv = state.reserved.get(name);
  if (rsv) return fail(2306, `reserved name (${rsv}): create with an authorization code`);
  const years = Number(text(c.period) || '1');
  if (!(years >= 1 && years <= 10)) return fail(2004, 'period: 1 to 10 years');
  const ct = contactsOf(c.contact);
  if (ct.billing.length) return fail(2306, 'no billing contact');
  if (ct.admin.length !== 1) return fail(2306, 'exactly one admin contact');
  if (ct.tech.length < 1 || ct.tech.length > 3) return fail(2306, 'one to three tech contacts');
  const registrant = text(c.registrant);
  for (const id of [registrant, ...ct.admin, ...ct.tech])
    if (!state.contacts.has(id)) return fail(2303, `contact ${id}`);
  if (!state.contacts.get(registrant)?.siren)
    return fail(2306, 'the holder must be identified (SIREN/SIRET)');
  const hosts = list(c.ns?.hostObj).map((h) => low(text(h)));
  for (const h of hosts) if (!state.hosts.has(h)) return fail(2303, `host ${h}`);
  const now = state.now();
  const d: StandinDomain = {
    name,
    roid: `DOM${String(state.domains.size + 1).padStart(9, '0')}-FRNIC`,
    registrant,
    admin: ct.admin[0] ?? '',
    techs: ct.tech,
    hosts,
    ds: readDs(ext?.create),
    authPw: text(c.authInfo?.pw),
    clID: state.clID,
    crDate: now,
    exDate: addYears(now, years),
  };
  state.domains.set(name, d);
  return {
    code: 1000,
    resData: (r) => {
      const x = r.ele(EPP_NS.domain, 'domain:creData');
      x.ele('domain:name').txt(name);
      x.ele('domain:crDate').txt(now.toISOString());
      x.ele('domain:exDate').txt(d.exDate.toISOString());
    },
  };
}

function info(state: EppState, i: Node): Answer {
  const name = low(text(list(i.name)[0]));
  const d = state.domains.get(name);
  if (!d) return fail(2303);
  return {
    code: 1000,
    resData: (r) => {
      const x = r.ele(EPP_NS.domain, 'domain:infData');
      x.ele('domain:name').txt(d.name);
      x.ele('domain:roid').txt(d.roid);
      x.ele('domain:status', { s: d.redemptionUntil ? 'pendingDelete' : 'ok' });
      x.ele('domain:registrant').txt(d.registrant);
      x.ele('domain:contact', { type: 'admin' }).txt(d.admin);
      for (const t of d.techs) x.ele('domain:contact', { type: 'tech' }).txt(t);
      if (d.hosts.length) {
        const ns = x.ele('domain:ns');
        for (const h of d.hosts) ns.ele('domain:hostObj').txt(h);
      }
      x.ele('domain:clID').txt(d.clID);
      x.ele('domain:crDate').txt(d.crDate.toISOString());
      x.ele('domain:exDate').txt(d.exDate.toISOString());
      if (d.clID === state.clID) x.ele('domain:authInfo').ele('domain:pw').txt(d.authPw);
    },
    ...(d.ds.length
      ? {
          extension: (e: XMLBuilder) => {
            const s = e.ele(EPP_NS.secDNS, 'secDNS:infData');
            for (const ds of d.ds) {
              const x = s.ele('secDNS:dsData');
              x.ele('secDNS:keyTag').txt(String(ds.keyTag));
              x.ele('secDNS:alg').txt(String(ds.alg));
              x.ele('secDNS:digestType').txt(String(ds.digestType));
              x.ele('secDNS:digest').txt(ds.digest);
            }
          },
        }
      : {}),
  };
}

function hostCheck(state: EppState, c: Node): Answer {
  const names = list(c.name).map((n) => low(text(n)));
  return {
    code: 1000,
    resData: (r) => {
      const d = r.ele(EPP_NS.host, 'host:chkData');
      for (const n of names) {
        const cd = d.ele('host:cd');
        cd.ele('host:name', { avail: state.hosts.has(n) ? '0' : '1' }).txt(n);
        if (state.hosts.has(n)) cd.ele('host:reason').txt('In use');
      }
    },
  };
}

function contactInfo(state: EppState, i: Node): Answer {
  const c = state.contacts.get(text(list(i.id)[0]));
  if (!c) return fail(2303);
  return {
    code: 1000,
    resData: (r) => {
      const x = r.ele(EPP_NS.contact, 'contact:infData');
      x.ele('contact:id').txt(c.id);
      x.ele('contact:roid').txt(`CON${c.id}-FRNIC`);
      x.ele('contact:status', { s: 'ok' });
      const p = x.ele('contact:postalInfo', { type: 'loc' });
      p.ele('contact:name').txt(c.name || c.id);
      p.ele('contact:addr').ele('contact:city').txt('Paris').up().ele('contact:cc').txt('FR');
      x.ele('contact:email').txt(c.email);
      x.ele('contact:clID').txt(c.clID);
      x.ele('contact:crID').txt(c.clID);
      x.ele('contact:crDate').txt(state.now().toISOString());
    },
  };
}

/**
 * `object` is the namespace of the command's object element (domain, host or contact): element
 * names alone do not tell `<domain:check>` from `<host:check>`.
 */
export function handleCommand(state: EppState, command: Node, object: string | undefined): Answer {
  const ext = command.extension;
  if (command.trade) return trade(state, command.trade);
  if (command.poll) return poll(state, command.poll);
  const verb = ['check', 'create', 'info', 'update', 'renew', 'delete', 'transfer'].find((v) => command[v]);
  const body = verb ? command[verb]?.[verb] : undefined;
  if (!verb || !body) return fail(2101);
  switch (`${object}:${verb}`) {
    case 'domain:check':
      return check(state, body);
    case 'host:check':
      return hostCheck(state, body);
    case 'contact:create':
      return createContact(state, body, ext);
    case 'host:create':
      return createHost(state, body);
    case 'domain:create':
      return createDomain(state, body, ext);
    case 'contact:info':
      return contactInfo(state, body);
    case 'domain:info':
      return info(state, body);
    case 'domain:update':
      return update(state, body, ext);
    case 'domain:renew':
      return renew(state, body);
    case 'domain:delete':
      return del(state, body);
    case 'domain:transfer':
      return transfer(state, String(command.transfer['@op']), body, ext);
    default:
      return fail(2307, `${object ?? 'unknown'} ${verb} is not offered`);
  }
}
