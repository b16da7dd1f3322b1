import { randomInt, randomUUID } from 'node:crypto';
import { type Actor, type Clock, type ContactRole, newRequestContext, type StaffRole } from '@guichet/core';
import type { Database } from '@guichet/db';
import { one } from '@guichet/db';
import type { JobRunner } from '@guichet/jobs';
import { contactRoles, contacts, institutions } from '@guichet/membership';
import {
  emitRequestEvent,
  type RequestEvent,
  type RequestEventType,
  type RequestRow,
  type StepActor,
} from '../../events.js';
import { envOf } from '../../requests/test/fixtures.js';
import { requestEvents, requests } from '../../tables.js';

/**
 * Test fixtures for tickets/ and notify/: institutions, contacts and requests written straight
 * into their tables, and request events told to the listeners the way the engine does it
 * (a history row, then emitRequestEvent in the same transaction).
 */

export async function institution(database: Database, name: string) {
  const row = one(
    await database.db
      .insert(institutions)
      .values({
        name,
        shortName: `${name.replace(/\W+/g, '').slice(0, 12)}${randomInt(1000)}`,
        kind: 'tutelle',
        siren: String(randomInt(100_000_000, 999_999_999)),
        collector: 'RRTHD',
      })
      .returning(),
  );
  return row;
}

export async function contact(
  database: Database,
  institutionId: string,
  name: string,
  email: string,
  roles: ContactRole[],
  opts: { removed?: boolean } = {},
) {
  const row = one(
    await database.db
      .insert(contacts)
      .values({ institutionId, name, email, ...(opts.removed ? { removedAt: new Date() } : {}) })
      .returning(),
  );
  for (const role of roles) {
    await database.db.insert(contactRoles).values({ contactId: row.id, institutionId, role });
  }
  return { ...row, roles };
}

export function contactActor(
  c: { id: string; institutionId: string; name: string; roles: ContactRole[] },
  scope: 'read' | 'write' = 'write',
): Actor {
  return {
    kind: 'contact',
    id: c.id,
    displayName: c.name,
    institutionId: c.institutionId,
    roles: c.roles,
    credential: { method: 'token', scope },
  };
}

export function staffActor(username: string, roles: StaffRole[], id = randomUUID()): Actor {
  return {
    kind: 'staff',
    id,
    username,
    displayName: username,
    roles,
    credential: { method: 'session', scope: 'write' },
  };
}

export async function request(
  database: Database,
  institutionId: string,
  kind: string,
  requesterContactId: string | null,
): Promise<RequestRow> {
  const row = one(
    await database.db
      .insert(requests)
      .values({
        kind,
        institutionId,
        requester: requesterContactId ? `contact:${requesterContactId}` : 'staff:desk',
        requesterContactId,
        payload: {},
        status: 'in_progress',
      })
      .returning(),
  );
  return row;
}

export interface EmitOptions {
  clock: Clock;
  actor?: Actor;
  step?: { name: string; actor?: StepActor; waitsOnInstitution?: boolean };
  reason?: string;
  jobs?: JobRunner | null;
  toStatus?: string;
}

const STATUS_AFTER: Partial<Record<RequestEventType, string>> = {
  returned: 'returned',
  completed: 'completed',
  rejected: 'rejected',
  cancelled: 'cancelled',
  failed: 'failed',
};

/** Appends a history row and tells the listeners, in one transaction; returns the event id. */
export async function emit(
  database: Database,
  type: RequestEventType,
  req: RequestRow,
  o: EmitOptions,
): Promise<number> {
  const ctx = newRequestContext({ actor: o.actor ?? { kind: 'system', name: 'test' }, clock: o.clock });
  const toStatus = o.toStatus ?? STATUS_AFTER[type] ?? 'in_progress';
  return database.db.transaction(async (tx) => {
    const ev = one(
      await tx
        .insert(requestEvents)
        .values({
          requestId: req.id,
          at: ctx.clock.now(),
          actor: 'test',
          httpRequestId: ctx.requestId,
          type,
          toStatus,
          step: o.step?.name ?? null,
          note: o.reason ?? null,
        })
        .returning({ id: requestEvents.id }),
    );
    const event: RequestEvent = {
      type,
      eventId: ev.id,
      request: { ...req, status: toStatus },
      ...(o.step
        ? {
            step: {
              name: o.step.name,
              type: o.step.actor ? 'human' : 'automatic',
              ...(o.step.actor ? { actor: o.step.actor } : {}),
              waitsOnInstitution:
                o.step.waitsOnInstitution ?? (o.step.actor === 'head' || o.step.actor === 'technical'),
            },
          }
        : {}),
      reason: o.reason ?? null,
      ctx,
    };
    await emitRequestEvent(tx, event, envOf(database, o.jobs ?? null));
    return ev.id;
  });
}

export const minutes = (base: Date, m: number) => new Date(base.getTime() + m * 60_000);
