import { ok, type Who } from './harness.js';

/**
 * The GraphQL calls the e2e flows make, typed as far as the tests read them. Every call is one
 * HTTP request with its own x-request-id (see `gql`), returned beside the data.
 */

export interface Contact {
  id: string;
  name: string;
  email: string;
  eppn: string;
  roles: string[];
}

export interface Institution {
  id: string;
  name: string;
  agreement: { version: number; bandwidthMbps: number; services: string[] };
  contacts: Contact[];
}

export interface Req {
  id: string;
  status: string;
  currentStep: string | null;
  pendingActor: string | null;
  revision: number;
  reason: string | null;
}

export interface FullRequest extends Req {
  document: { text: string; hash: string } | null;
  agreementVersion: {
    id: string;
    version: number;
    status: string;
    documentHash: string;
    bandwidthMbps: number;
  };
  steps: { name: string; state: string; pass: number; actedBy: string | null }[];
  history: { type: string; step: string | null; actor: string; httpRequestId: string }[];
}

export interface Ticket {
  id: string;
  requestId: string;
  queue: string;
  state: string;
  kind: string;
  createdAt: string;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  sla: { paused: boolean; pausedSeconds: number; responseDueAt: string; resolutionDueAt: string };
}

export interface AgreementView {
  agreement: { services: string[] } & Record<string, unknown>;
  agreementVersions: { version: number; status: string }[];
}

export interface Notification {
  recipient: string;
  template: string;
  status: string;
  messageId: string | null;
}

export interface Change {
  action: string;
  actor: string;
  objectType: string;
  requestId: string;
}

/** A workflow mutation's result: its payload's request, or a typed error; and our request id. */
export interface ActResult {
  __typename: string;
  code?: string;
  message?: string;
  request?: Req;
  requestId: string;
}

const REQ = 'id status currentStep pendingActor revision reason';

export const contactAs = (c: Contact): Who => ({ eppn: c.eppn });
export const withRole = (i: Institution, role: string): Contact => {
  const c = i.contacts.find((x) => x.roles.includes(role));
  if (!c) throw new Error(`${i.name} has no ${role} contact`);
  return c;
};

export class Guichet {
  constructor(
    readonly url: string,
    readonly admin: Who,
  ) {}

  async query<T>(who: Who, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    return (await ok<T>(this.url, who, query, variables)).data;
  }

  /** `name(input: …)` of a mutation whose payload (`<Name>Payload`) carries `request`. */
  async act(who: Who, name: string, inputType: string, input: Record<string, unknown>): Promise<ActResult> {
    const payload = `${name[0]!.toUpperCase()}${name.slice(1)}Payload`;
    const q = `mutation($input: ${inputType}!) { r: ${name}(input: $input) {
      __typename ... on Error { code message } ... on ${payload} { request { ${REQ} } } } }`;
    const res = await ok<{ r: Omit<ActResult, 'requestId'> }>(this.url, who, q, { input });
    return { ...res.data.r, requestId: res.requestId };
  }

  async institutions(): Promise<Institution[]> {
    const q = `{ institutions(first: 10) { edges { node { id name
      agreement { version bandwidthMbps services } contacts { id name email eppn roles } } } } }`;
    const d = await this.query<{ institutions: { edges: { node: Institution }[] } }>(this.admin, q);
    return d.institutions.edges.map((e) => e.node);
  }

  async request(who: Who, id: string): Promise<FullRequest | null> {
    const q = `query($id: ID!) { request(id: $id) { ${REQ}
      document { text hash }
      agreementVersion { id version status documentHash bandwidthMbps }
      steps { name state pass actedBy }
      history { type step actor httpRequestId } } }`;
    return (await this.query<{ request: FullRequest | null }>(who, q, { id })).request;
  }

  async requestCount(institutionId: string): Promise<number> {
    const q = 'query($i: ID!) { requests(institutionId: $i, first: 100) { edges { cursor } } }';
    return (await this.query<{ requests: { edges: unknown[] } }>(this.admin, q, { i: institutionId }))
      .requests.edges.length;
  }

  /** The ticket of a request, as the desk sees it in the institution's list. */
  async ticketOf(institutionId: string, requestId: string): Promise<Ticket | undefined> {
    const q = `query($i: ID!) { tickets(institutionId: $i, first: 20) { edges { node {
      id requestId queue state kind createdAt firstResponseAt resolvedAt
      sla { paused pausedSeconds responseDueAt resolutionDueAt } } } } }`;
    const d = await this.query<{ tickets: { edges: { node: Ticket }[] } }>(this.admin, q, {
      i: institutionId,
    });
    return d.tickets.edges.map((e) => e.node).find((t) => t.requestId === requestId);
  }

  /** One ticket by id, as `who` may see it (null: not there for them). */
  async ticket(who: Who, id: string): Promise<{ id: string } | null> {
    return (
      await this.query<{ ticket: { id: string } | null }>(who, 'query($id: ID!) { ticket(id: $id) { id } }', {
        id,
      })
    ).ticket;
  }

  async changes(filter: { requestId?: string; institutionId?: string }): Promise<Change[]> {
    const q = `query($r: String, $i: ID) { changes(requestId: $r, institutionId: $i, first: 100) {
      edges { node { action actor objectType requestId } } } }`;
    const d = await this.query<{ changes: { edges: { node: Change }[] } }>(this.admin, q, {
      r: filter.requestId,
      i: filter.institutionId,
    });
    return d.changes.edges.map((e) => e.node);
  }

  /** The institution's agreement in force and its versions, as `who` sees them. */
  async agreementOf(who: Who, institutionId: string): Promise<AgreementView> {
    const q = `query($id: ID!) { institution(id: $id) { agreement { id version status bandwidthMbps services
      documentHash signedByName signedBy { id } activatedBy } agreementVersions { version status } } }`;
    return (await this.query<{ institution: AgreementView }>(who, q, { id: institutionId })).institution;
  }

  async versionStatus(id: string): Promise<string | undefined> {
    const q = 'query($id: ID!) { agreementVersion(id: $id) { status } }';
    return (await this.query<{ agreementVersion: { status: string } | null }>(this.admin, q, { id }))
      .agreementVersion?.status;
  }

  async notifications(requestId: string): Promise<Notification[]> {
    const q = 'query($id: ID!) { notifications(requestId: $id) { recipient template status messageId } }';
    return (await this.query<{ notifications: Notification[] }>(this.admin, q, { id: requestId }))
      .notifications;
  }
}
