import * as cmd from './commands.js';
import { newClTRID } from './connection.js';
import { RegistryObjectExists } from './errors.js';
import { type EppResponse, readCheck, readDomainInfo, readExDate, readPollMessage } from './responses.js';
import type { EppSession } from './session.js';
import type {
  CheckResult,
  ContactSpec,
  DomainCreateSpec,
  DomainInfo,
  DomainUpdateSpec,
  PollMessage,
} from './types.js';

/**
 * The registry operations Guichet uses, over one EppSession. Each is safe to run again after a
 * failure whose outcome is unknown (a lost answer): creates treat "already exists" as done when
 * the registry's object is ours (`info` says so), checks and infos are reads, and the caller
 * (a step or job) records the outcome only after the registry confirmed it.
 */
export class Registry {
  constructor(
    readonly session: EppSession,
    /** Our registrar id (clID): an object whose clID is ours and that already exists is ours. */
    readonly clID: string,
  ) {}

  private send(build: (clTRID: string) => string, what: string): Promise<EppResponse> {
    return this.session.run((c) => c.command(build(newClTRID()), what));
  }

  /** Availability and AFNIC flags, in batches of at most 7 names (one command each). */
  async check(names: readonly string[]): Promise<CheckResult[]> {
    const out: CheckResult[] = [];
    for (let i = 0; i < names.length; i += cmd.MAX_CHECK) {
      const batch = names.slice(i, i + cmd.MAX_CHECK);
      out.push(...readCheck(await this.send((t) => cmd.domainCheck(t, batch), 'domain check')));
    }
    return out;
  }

  async createContact(spec: ContactSpec): Promise<{ id: string; created: boolean }> {
    try {
      await this.send((t) => cmd.contactCreate(t, spec), `contact ${spec.id}`);
      return { id: spec.id, created: true };
    } catch (e) {
      // Handles are ours (derived from Guichet ids): an existing one is a retry of ours.
      if (e instanceof RegistryObjectExists) return { id: spec.id, created: false };
      throw e;
    }
  }

  async createHost(name: string, addrs: readonly string[]): Promise<{ created: boolean }> {
    try {
      await this.send((t) => cmd.hostCreate(t, name, addrs), `host ${name}`);
      return { created: true };
    } catch (e) {
      // A host object is shared by every domain it serves: one that exists is used as it is.
      if (e instanceof RegistryObjectExists) return { created: false };
      throw e;
    }
  }

  async info(name: string, authPw?: string): Promise<DomainInfo> {
    return readDomainInfo(await this.send((t) => cmd.domainInfo(t, name, authPw), `domain ${name}`));
  }

  /** Creates the domain; an existing one that is ours (a retry) is read back instead. */
  async createDomain(spec: DomainCreateSpec): Promise<{ exDate?: string; created: boolean }> {
    try {
      const res = await this.send((t) => cmd.domainCreate(t, spec), `domain ${spec.name}`);
      const exDate = readExDate(res);
      return { ...(exDate ? { exDate } : {}), created: true };
    } catch (e) {
      if (!(e instanceof RegistryObjectExists)) throw e;
      const info = await this.info(spec.name);
      if (info.clID !== this.clID || info.registrant !== spec.registrant) throw e;
      return { ...(info.exDate ? { exDate: info.exDate } : {}), created: false };
    }
  }

  async update(spec: DomainUpdateSpec): Promise<void> {
    await this.send((t) => cmd.domainUpdate(t, spec), `domain ${spec.name}`);
  }

  async renew(name: string, curExpDate: string, years: number): Promise<{ exDate?: string }> {
    const res = await this.send((t) => cmd.domainRenew(t, name, curExpDate, years), `domain ${name}`);
    const exDate = readExDate(res);
    return exDate ? { exDate } : {};
  }

  async delete(name: string): Promise<void> {
    await this.send((t) => cmd.domainDelete(t, name), `domain ${name}`);
  }

  async restore(name: string): Promise<void> {
    await this.send((t) => cmd.domainRestore(t, name), `domain ${name}`);
  }

  async trade(s: Parameters<typeof cmd.domainTrade>[1]): Promise<{ status: string }> {
    const res = await this.send((t) => cmd.domainTrade(t, s), `domain ${s.name}`);
    return {
      status: String(
        res.extension?.ext?.resData?.trdData?.domain?.trStatus ??
          (res.code === 1000 ? 'serverApproved' : 'pending'),
      ),
    };
  }

  async transfer(s: Parameters<typeof cmd.domainTransfer>[1]): Promise<{ status: string; exDate?: string }> {
    const res = await this.send((t) => cmd.domainTransfer(t, s), `domain ${s.name}`);
    const exDate = readExDate(res);
    return { status: String(res.resData?.trnData?.trStatus ?? 'pending'), ...(exDate ? { exDate } : {}) };
  }

  /** The oldest message of the queue, or null when it is empty (1300). Does not dequeue it. */
  async pollRequest(): Promise<PollMessage | null> {
    return readPollMessage(await this.send((t) => cmd.pollRequest(t), 'poll'));
  }

  async pollAck(id: string): Promise<void> {
    await this.send((t) => cmd.pollAck(t, id), `poll message ${id}`);
  }
}
