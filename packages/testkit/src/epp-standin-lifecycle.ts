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
 * What the stand-in registry does to a domain after its creation — update (and restore),
 * renew, delete into redemption, holder trade, transfer — and the poll queue its changes feed.
 */

function ours(state: EppState, name: string): StandinDomain | Answer {
  const d = state.domains.get(name);
  if (!d) return fail(2303);
  if (d.clID !== state.clID) return fail(2201, 'not the sponsoring registrar');
  return d;
}

export function update(state: EppState, u: Node, ext: Node): Answer {
  const name = low(text(list(u.name)[0]));
  const d = ours(state, name);
  if ('code' in d) return d;
  if (ext?.update?.restore) {
    if (!d.redemptionUntil || d.redemptionUntil < state.now())
      return fail(2304, 'not in its redemption period');
    delete d.redemptionUntil;
    return { code: 1000 };
  }
  if (d.redemptionUntil) return fail(2304, 'in its redemption period');
  if (u.chg?.registrant !== undefined) return fail(2306, 'holder change: use frnic:trade');
  const add = u.add ?? {};
  const rem = u.rem ?? {};
  const addHosts = list(add.ns?.hostObj).map((h) => low(text(h)));
  for (const h of addHosts) if (!state.hosts.has(h)) return fail(2303, `host ${h}`);
  const remHosts = new Set(list(rem.ns?.hostObj).map((h) => low(text(h))));
  const hosts = [...d.hosts.filter((h) => !remHosts.has(h)), ...addHosts.filter((h) => !d.hosts.includes(h))];
  const ca = contactsOf(add.contact);
  const cr = contactsOf(rem.contact);
  for (const id of [...ca.admin, ...ca.tech]) if (!state.contacts.has(id)) return fail(2303, `contact ${id}`);
  const admin = ca.admin[0] ?? (cr.admin.includes(d.admin) ? '' : d.admin);
  const techs = [
    ...d.techs.filter((t) => !cr.tech.includes(t)),
    ...ca.tech.filter((t) => !d.techs.includes(t)),
  ];
  if (!admin) return fail(2306, 'exactly one admin contact');
  if (techs.length < 1 || techs.length > 3) return fail(2306, 'one to three tech contacts');
  const sec = ext?.update;
  if (sec?.chg || sec?.['@urgent'] === '1' || sec?.['@urgent'] === 'true')
    return fail(2306, 'secDNS: add/rem only');
  const remDs = readDs(sec?.rem).map((x) => `${x.keyTag}/${x.digest}`);
  const ds = [...d.ds.filter((x) => !remDs.includes(`${x.keyTag}/${x.digest}`)), ...readDs(sec?.add)];
  Object.assign(d, { hosts, admin, techs, ds });
  const pw = text(u.chg?.authInfo?.pw);
  if (pw) d.authPw = pw;
  return { code: 1000 };
}

export function renew(state: EppState, r: Node): Answer {
  const d = ours(state, low(text(list(r.name)[0])));
  if ('code' in d) return d;
  if (text(r.curExpDate) !== d.exDate.toISOString().slice(0, 10))
    return fail(2306, 'curExpDate does not match');
  const years = Number(text(r.period) || '1');
  if (!(years >= 1 && years <= 10)) return fail(2004, 'period: 1 to 10 years');
  d.exDate = addYears(d.exDate, years);
  return {
    code: 1000,
    resData: (x) => {
      const rd = x.ele(EPP_NS.domain, 'domain:renData');
      rd.ele('domain:name').txt(d.name);
      rd.ele('domain:exDate').txt(d.exDate.toISOString());
    },
  };
}

export function del(state: EppState, r: Node): Answer {
  const d = ours(state, low(text(list(r.name)[0])));
  if ('code' in d) return d;
  if (d.redemptionUntil) return fail(2304, 'already deleted');
  const serving = [...state.domains.values()].some(
    (o) => o.name !== d.name && o.hosts.some((h) => h.endsWith(`.${d.name}`)),
  );
  if (serving) return fail(2305, 'its hosts serve other domains');
  d.redemptionUntil = new Date(state.now().getTime() + 30 * 86_400_000);
  return { code: 1000 };
}

export function trade(state: EppState, t: Node): Answer {
  if (String(t['@op']) !== 'request') return fail(2101);
  const dom = t.domain ?? {};
  const d = ours(state, low(text(list(dom.name)[0])));
  if ('code' in d) return d;
  const registrant = text(dom.registrant);
  const ct = contactsOf(dom.contact);
  for (const id of [registrant, ...ct.admin, ...ct.tech])
    if (!state.contacts.has(id)) return fail(2303, `contact ${id}`);
  if (!state.contacts.get(registrant)?.siren)
    return fail(2306, 'the holder must be identified (SIREN/SIRET)');
  d.registrant = registrant;
  if (ct.admin[0]) d.admin = ct.admin[0];
  if (ct.tech.length) d.techs = ct.tech;
  if (String(dom['@keepDS']) === '0') d.ds = [];
  const now = state.now();
  return {
    code: 1000,
    extension: (e) => {
      const x = e
        .ele(EPP_NS.frnic, 'frnic:ext')
        .ele('frnic:resData')
        .ele('frnic:trdData')
        .ele('frnic:domain');
      x.ele('frnic:name').txt(d.name);
      x.ele('frnic:trStatus').txt('serverApproved');
      x.ele('frnic:reID').txt(state.clID);
      x.ele('frnic:reDate').txt(now.toISOString());
      x.ele('frnic:reHldID').txt(registrant);
    },
  };
}

export function transfer(state: EppState, op: string, t: Node, ext: Node): Answer {
  if (op !== 'request') return fail(2101);
  const name = low(text(list(t.name)[0]));
  const d = state.domains.get(name);
  if (!d) return fail(2303);
  if (d.clID === state.clID) return fail(2106, 'already sponsored by you');
  if (text(t.authInfo?.pw) !== d.authPw) return fail(2202);
  const ct = contactsOf(ext?.ext?.transfer?.domain?.contact);
  for (const id of [...ct.admin, ...ct.tech]) if (!state.contacts.has(id)) return fail(2303, `contact ${id}`);
  const from = d.clID;
  d.clID = state.clID;
  if (ct.admin[0]) d.admin = ct.admin[0];
  if (ct.tech.length) d.techs = ct.tech;
  if (String(ext?.ext?.transfer?.domain?.['@keepDS']) === '0') d.ds = [];
  const now = state.now();
  return {
    code: 1000,
    resData: (r) => {
      const x = r.ele(EPP_NS.domain, 'domain:trnData');
      x.ele('domain:name').txt(name);
      x.ele('domain:trStatus').txt('serverApproved');
      x.ele('domain:reID').txt(state.clID);
      x.ele('domain:reDate').txt(now.toISOString());
      x.ele('domain:acID').txt(from);
      x.ele('domain:acDate').txt(now.toISOString());
      x.ele('domain:exDate').txt(d.exDate.toISOString());
    },
  };
}

export function poll(state: EppState, p: Node): Answer {
  const op = String(p['@op']);
  const head = state.queue[0];
  if (op === 'req') {
    if (!head) return { code: 1300 };
    return {
      code: 1301,
      msgQ: { count: state.queue.length, id: head.id, qDate: head.qDate, msg: head.msg },
      ...(head.resData ? { resData: head.resData } : {}),
      ...(head.extension ? { extension: head.extension } : {}),
    };
  }
  if (op === 'ack') {
    const id = String(p['@msgID'] ?? '');
    if (!head || head.id !== id) return fail(2303, `message ${id} is not at the head of the queue`);
    state.queue.shift();
    const next = state.queue[0];
    return next
      ? { code: 1000, msgQ: { count: state.queue.length, id: next.id, qDate: next.qDate, msg: next.msg } }
      : { code: 1000 };
  }
  return fail(2005);
}
