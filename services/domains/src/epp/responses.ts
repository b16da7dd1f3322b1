import { XMLParser } from 'fast-xml-parser';
import type { CheckResult, DomainInfo, DsData, EppResult, PollMessage } from './types.js';

/**
 * Reading the registry's XML (fast-xml-parser). Prefixes are dropped (`removeNSPrefix`): a
 * server may pick any prefix, and element PATHS (resData.chkData vs extension.ext.resData.chkData)
 * already tell the objects apart. Repeated elements are always arrays.
 */

const ARRAYS = new Set([
  'result',
  'cd',
  'contact',
  'hostObj',
  'hostAttr',
  'status',
  'dsData',
  'host',
  'addr',
  'value',
  'extValue',
  'extURI',
  'objURI',
  'version',
  'lang',
  'street',
  'postalInfo',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ARRAYS.has(name),
});

// biome-ignore lint/suspicious/noExplicitAny: parsed XML is untyped; the readers below narrow it
type Node = any;

const text = (n: Node): string => {
  if (n === undefined || n === null) return '';
  if (typeof n === 'string') return n;
  if (typeof n === 'object' && '#text' in n) return String(n['#text']);
  return '';
};
const list = (n: Node): Node[] => (Array.isArray(n) ? n : n === undefined || n === null ? [] : [n]);
const bool = (v: unknown) => v === '1' || v === 'true';

export interface Greeting {
  svID: string;
  svDate: string;
  objURIs: string[];
  extURIs: string[];
}

export interface EppResponse {
  results: EppResult[];
  /** The first result's code: what the command came to. */
  code: number;
  msgQ?: { count: number; id: string; qDate?: string; msg: string };
  resData?: Node;
  extension?: Node;
  clTRID?: string;
  svTRID: string;
  raw: string;
}

export type EppMessage = { greeting: Greeting } | { response: EppResponse };

export function parseEpp(xml: string): EppMessage {
  const root = parser.parse(xml)?.epp;
  if (!root) throw new Error('not an EPP message (no <epp> root)');
  if (root.greeting) {
    const g = root.greeting;
    return {
      greeting: {
        svID: text(g.svID),
        svDate: text(g.svDate),
        objURIs: list(g.svcMenu?.objURI).map(text),
        extURIs: list(g.svcMenu?.svcExtension?.extURI).map(text),
      },
    };
  }
  const r = root.response;
  if (!r) throw new Error('an EPP message that is neither a greeting nor a response');
  const results: EppResult[] = list(r.result).map((x: Node) => ({
    code: Number(x['@code']),
    message: text(x.msg),
    details: list(x.extValue).map((e: Node) => text(e.reason)),
  }));
  const first = results[0];
  if (!first || !Number.isInteger(first.code)) throw new Error('an EPP response without a result code');
  const q = r.msgQ;
  return {
    response: {
      results,
      code: first.code,
      ...(q
        ? {
            msgQ: {
              count: Number(q['@count']),
              id: String(q['@id']),
              ...(q.qDate ? { qDate: text(q.qDate) } : {}),
              msg: typeof q.msg === 'object' ? text(q.msg) : String(q.msg ?? ''),
            },
          }
        : {}),
      resData: r.resData,
      extension: r.extension,
      ...(r.trID?.clTRID ? { clTRID: text(r.trID.clTRID) } : {}),
      svTRID: text(r.trID?.svTRID),
      raw: xml,
    },
  };
}

/** domain:chkData joined with the frnic reserved/forbidden flags of the same names. */
export function readCheck(res: EppResponse): CheckResult[] {
  const flags = new Map<string, Node>();
  for (const cd of list(res.extension?.ext?.resData?.chkData?.domain?.cd)) {
    flags.set(text(cd.name).toLowerCase(), cd);
  }
  return list(res.resData?.chkData?.cd).map((cd: Node) => {
    const name = text(cd.name).toLowerCase();
    const f = flags.get(name);
    const reason = text(cd.reason);
    const rsv = text(f?.rsvReason);
    const fbd = text(f?.fbdReason);
    return {
      name,
      avail: bool(cd.name?.['@avail']),
      ...(reason ? { reason } : {}),
      reserved: bool(f?.name?.['@reserved']),
      forbidden: bool(f?.name?.['@forbidden']),
      ...(rsv ? { rsvReason: rsv } : {}),
      ...(fbd ? { fbdReason: fbd } : {}),
    };
  });
}

const readDs = (n: Node): DsData[] =>
  list(n?.dsData).map((d: Node) => ({
    keyTag: Number(text(d.keyTag)),
    alg: Number(text(d.alg)),
    digestType: Number(text(d.digestType)),
    digest: text(d.digest).toUpperCase(),
  }));

export function readDomainInfo(res: EppResponse): DomainInfo {
  const d = res.resData?.infData;
  if (!d) throw new Error('domain info response without infData');
  const registrant = text(d.registrant);
  const crDate = text(d.crDate);
  const exDate = text(d.exDate);
  return {
    name: text(d.name).toLowerCase(),
    roid: text(d.roid),
    statuses: list(d.status).map((s: Node) => String(s['@s'])),
    ...(registrant ? { registrant } : {}),
    contacts: list(d.contact).map((c: Node) => ({ type: String(c['@type']), id: text(c) })),
    hosts: [...list(d.ns?.hostObj).map(text), ...list(d.ns?.hostAttr).map((h: Node) => text(h.hostName))].map(
      (h) => h.toLowerCase(),
    ),
    clID: text(d.clID),
    ...(crDate ? { crDate } : {}),
    ...(exDate ? { exDate } : {}),
    ds: readDs(res.extension?.infData),
  };
}

/** The expiry a create, renew or transfer answer carries. */
export function readExDate(res: EppResponse): string | undefined {
  const d = res.resData?.creData ?? res.resData?.renData ?? res.resData?.trnData;
  const ex = text(d?.exDate);
  return ex || undefined;
}

/**
 * What a poll message is about. AFNIC sends qualification results (frnic quaData), its own
 * technical check of the name servers (`review_zonecheck`: a domain panData), transfer notices
 * (domain trnData), trade notices (frnic trdData) and deletions it made itself.
 */
export function readPollMessage(res: EppResponse): PollMessage | null {
  const q = res.msgQ;
  if (!q || res.code !== 1301) return null;
  const base = {
    id: q.id,
    count: q.count,
    ...(q.qDate ? { qDate: q.qDate } : {}),
    text: q.msg,
    raw: res.raw,
  };
  const fr = res.extension?.ext?.resData;
  if (fr?.quaData) {
    const c = fr.quaData.contact;
    const status = text(c?.legalEntityInfos?.idStatus);
    return {
      ...base,
      kind: 'qualification',
      contact: text(c?.id),
      outcome: `${c?.qualificationProcess?.['@s'] ?? ''}${status ? `:${status}` : ''}`,
    };
  }
  if (fr?.trdData) {
    const d = fr.trdData.domain;
    return { ...base, kind: 'trade', domain: text(d?.name).toLowerCase(), outcome: text(d?.trStatus) };
  }
  if (fr?.ntfData) {
    const d = fr.ntfData.domain;
    return { ...base, kind: 'deletion', domain: text(d?.name).toLowerCase(), outcome: text(d?.event) };
  }
  const pan = res.resData?.panData;
  if (pan) {
    return {
      ...base,
      kind: 'zonecheck',
      domain: text(pan.name).toLowerCase(),
      outcome: bool(pan.name?.['@paResult']) ? 'passed' : 'failed',
    };
  }
  const trn = res.resData?.trnData;
  if (trn) {
    return {
      ...base,
      kind: 'transfer',
      domain: text(trn.name).toLowerCase(),
      outcome: text(trn.trStatus),
      gainingRegistrar: text(trn.reID),
    };
  }
  return { ...base, kind: 'other' };
}
