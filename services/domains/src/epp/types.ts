/** What Guichet sends to and reads from the registry, independent of the XML. */

export interface DsData {
  keyTag: number;
  alg: number;
  digestType: number;
  /** Hex. */
  digest: string;
}

export interface HostSpec {
  name: string;
  /** Glue, only for a host inside the domain it serves. */
  addrs: string[];
}

export type LegalStatus = 'company' | 'association' | 'other';

export interface ContactSpec {
  /** Registry handle, 3–16 characters (eppcom:clIDType). */
  id: string;
  name: string;
  org?: string;
  street: string[];
  city: string;
  pc?: string;
  /** ISO 3166 alpha-2. */
  cc: string;
  /** E.164 as EPP writes it: `+33.123456789`. */
  voice?: string;
  email: string;
  authPw: string;
  /** A legal entity (the holder); absent: a person (admin/tech contact of the holder). */
  legalEntity?: { legalStatus: LegalStatus; siren?: string; waldec?: string };
  restrictedPublication?: boolean;
}

export interface DomainCreateSpec {
  name: string;
  years: number;
  hosts: string[];
  registrant: string;
  admin: string;
  techs: string[];
  authPw: string;
  ds: DsData[];
}

export interface DomainUpdateSpec {
  name: string;
  addHosts?: string[];
  remHosts?: string[];
  addContacts?: { type: 'admin' | 'tech'; id: string }[];
  remContacts?: { type: 'admin' | 'tech'; id: string }[];
  authPw?: string;
  addDs?: DsData[];
  remDs?: DsData[];
}

export interface CheckResult {
  name: string;
  avail: boolean;
  reason?: string;
  reserved: boolean;
  forbidden: boolean;
  rsvReason?: string;
  fbdReason?: string;
}

export interface DomainInfo {
  name: string;
  roid: string;
  statuses: string[];
  registrant?: string;
  contacts: { type: string; id: string }[];
  hosts: string[];
  clID: string;
  crDate?: string;
  exDate?: string;
  ds: DsData[];
}

export interface EppResult {
  code: number;
  message: string;
  /** `<value>`/`<extValue><reason>` texts the registry added. */
  details: string[];
}

/** A message of the poll queue, as the registry sent it. */
export interface PollMessage {
  id: string;
  count: number;
  qDate?: string;
  text: string;
  /** What it is about, when Guichet recognises it. */
  kind: 'qualification' | 'zonecheck' | 'transfer' | 'trade' | 'deletion' | 'other';
  domain?: string;
  contact?: string;
  /** zonecheck: passed; qualification: idStatus ok; transfer: serverApproved… */
  outcome?: string;
  /** transfer: the gaining registrar (reID). */
  gainingRegistrar?: string;
  /** The whole `<response>` XML, kept with the stored message. */
  raw: string;
}
