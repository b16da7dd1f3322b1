import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';

/**
 * The stand-in registry's answers (epp-standin.ts), built with xmlbuilder2. Written from RFC
 * 5730–5733, 5910, 3915 and AFNIC's examples, independently of services/domains' client: the
 * client is tested against a second reading of the wire format, not its own code.
 */

export const EPP_NS = {
  epp: 'urn:ietf:params:xml:ns:epp-1.0',
  domain: 'urn:ietf:params:xml:ns:domain-1.0',
  host: 'urn:ietf:params:xml:ns:host-1.0',
  contact: 'urn:ietf:params:xml:ns:contact-1.0',
  secDNS: 'urn:ietf:params:xml:ns:secDNS-1.1',
  rgp: 'urn:ietf:params:xml:ns:rgp-1.0',
  frnic: 'http://www.afnic.fr/xml/epp/frnic-2.0',
  launch: 'urn:ietf:params:xml:ns:launch-1.0',
} as const;

/** RFC 5730 §3 texts of the codes the stand-in answers. */
export const RESULT_TEXT: Record<number, string> = {
  1000: 'Command completed successfully',
  1001: 'Command completed successfully; action pending',
  1300: 'Command completed successfully; no messages',
  1301: 'Command completed successfully; ack to dequeue',
  1500: 'Command completed successfully; ending session',
  2001: 'Command syntax error',
  2002: 'Command use error',
  2004: 'Parameter value range error',
  2005: 'Parameter value syntax error',
  2101: 'Unimplemented command',
  2200: 'Authentication error',
  2201: 'Authorization error',
  2202: 'Invalid authorization information',
  2302: 'Object exists',
  2303: 'Object does not exist',
  2304: 'Object status prohibits operation',
  2305: 'Object association prohibits operation',
  2306: 'Parameter value policy error',
  2307: 'Unimplemented object service',
  2400: 'Command failed',
  2500: 'Command failed; server closing connection',
  2501: 'Authentication error; server closing connection',
  2502: 'Session limit exceeded; server closing connection',
};

const doc = () => create({ version: '1.0', encoding: 'UTF-8', standalone: false });

export function greetingXml(svID: string, now: Date): string {
  const d = doc();
  const g = d.ele(EPP_NS.epp, 'epp').ele('greeting');
  g.ele('svID').txt(svID);
  g.ele('svDate').txt(now.toISOString());
  const m = g.ele('svcMenu');
  m.ele('version').txt('1.0');
  m.ele('lang').txt('en');
  m.ele('lang').txt('fr');
  for (const uri of [EPP_NS.domain, EPP_NS.host, EPP_NS.contact]) m.ele('objURI').txt(uri);
  const e = m.ele('svcExtension');
  for (const uri of [EPP_NS.secDNS, EPP_NS.rgp, EPP_NS.frnic, EPP_NS.launch]) e.ele('extURI').txt(uri);
  const dcp = g.ele('dcp');
  dcp.ele('access').ele('all');
  const st = dcp.ele('statement');
  st.ele('purpose').ele('admin').up().ele('prov');
  st.ele('recipient').ele('ours').up().ele('public');
  st.ele('retention').ele('stated');
  return d.end();
}

export interface Answer {
  code: number;
  /** Extra reason (an `<extValue><reason>`), e.g. AFNIC's rule. */
  reason?: string;
  msgQ?: { count: number; id: string; qDate: Date; msg: string };
  resData?: (r: XMLBuilder) => void;
  extension?: (e: XMLBuilder) => void;
}

export function responseXml(a: Answer, clTRID: string | undefined, svTRID: string): string {
  const d = doc();
  const r = d.ele(EPP_NS.epp, 'epp').ele('response');
  const res = r.ele('result', { code: String(a.code) });
  res.ele('msg').txt(RESULT_TEXT[a.code] ?? 'Command failed');
  if (a.reason) {
    const ev = res.ele('extValue');
    ev.ele('value').ele('text').txt('-');
    ev.ele('reason').txt(a.reason);
  }
  if (a.msgQ) {
    const q = r.ele('msgQ', { count: String(a.msgQ.count), id: a.msgQ.id });
    q.ele('qDate').txt(a.msgQ.qDate.toISOString());
    q.ele('msg').txt(a.msgQ.msg);
  }
  if (a.resData) a.resData(r.ele('resData'));
  if (a.extension) a.extension(r.ele('extension'));
  const t = r.ele('trID');
  if (clTRID) t.ele('clTRID').txt(clTRID);
  t.ele('svTRID').txt(svTRID);
  return d.end();
}
