import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { Answer } from './epp-xml.js';

/** The stand-in registry's objects, and the helpers its commands read parsed XML with. */

export interface StandinContact {
  id: string;
  name: string;
  email: string;
  siren?: string;
  legalStatus?: string;
  clID: string;
}
export interface StandinHost {
  name: string;
  addrs: string[];
  clID: string;
}
export interface StandinDs {
  keyTag: number;
  alg: number;
  digestType: number;
  digest: string;
}
export interface StandinDomain {
  name: string;
  roid: string;
  registrant: string;
  admin: string;
  techs: string[];
  hosts: string[];
  ds: StandinDs[];
  authPw: string;
  clID: string;
  crDate: Date;
  exDate: Date;
  /** Deleted, in its 30-day redemption period. */
  redemptionUntil?: Date;
}
export interface StandinMessage {
  id: string;
  qDate: Date;
  msg: string;
  resData?: (r: XMLBuilder) => void;
  extension?: (e: XMLBuilder) => void;
}
export interface EppState {
  clID: string;
  now: () => Date;
  contacts: Map<string, StandinContact>;
  hosts: Map<string, StandinHost>;
  domains: Map<string, StandinDomain>;
  reserved: Map<string, string>;
  forbidden: Map<string, string>;
  queue: StandinMessage[];
  nextMsgId: number;
}

// biome-ignore lint/suspicious/noExplicitAny: parsed XML
export type Node = any;
export const text = (n: Node): string =>
  typeof n === 'object' && n !== null ? String(n['#text'] ?? '') : String(n ?? '');
export const list = (n: Node): Node[] => (Array.isArray(n) ? n : n === undefined ? [] : [n]);
export const low = (s: string) => s.trim().toLowerCase();
export const addYears = (d: Date, y: number) => {
  const x = new Date(d);
  x.setUTCFullYear(x.getUTCFullYear() + y);
  return x;
};

export const fail = (code: number, reason?: string): Answer => ({ code, ...(reason ? { reason } : {}) });

export function contactsOf(node: Node): { admin: string[]; tech: string[]; billing: string[] } {
  const out = { admin: [] as string[], tech: [] as string[], billing: [] as string[] };
  for (const c of list(node)) {
    const t = String(c['@type'] ?? '') as keyof typeof out;
    if (t in out) out[t].push(text(c));
  }
  return out;
}

export const readDs = (n: Node): StandinDs[] =>
  list(n?.dsData).map((d) => ({
    keyTag: Number(text(d.keyTag)),
    alg: Number(text(d.alg)),
    digestType: Number(text(d.digestType)),
    digest: text(d.digest).toUpperCase(),
  }));
