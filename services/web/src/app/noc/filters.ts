/**
 * The queue's filters and page, as the URL's query string: a filtered queue can be bookmarked,
 * reloaded or sent to a colleague. `after` is the keyset cursor of the page shown.
 */

export const TICKET_STATES = ['NEW', 'OPEN', 'WAITING', 'RESOLVED', 'CLOSED'] as const;
export type TicketStateName = (typeof TICKET_STATES)[number];
/** What a console shows by default: the tickets someone still has to work. */
export const OPEN_STATES: readonly TicketStateName[] = ['NEW', 'OPEN', 'WAITING'];

export interface Filters {
  queue?: string;
  states: readonly TicketStateName[];
  institutionId?: string;
  ownerId?: string;
  overdue?: boolean;
  after?: string;
}

export function parseFilters(search: string): Filters {
  const p = new URLSearchParams(search);
  const state = p.get('state');
  const states = state
    ? state.split(',').filter((s): s is TicketStateName => (TICKET_STATES as readonly string[]).includes(s))
    : OPEN_STATES;
  const overdue = p.get('overdue');
  const f: Filters = { states };
  const queue = p.get('queue');
  const institution = p.get('institution');
  const owner = p.get('owner');
  const after = p.get('after');
  if (queue) f.queue = queue;
  if (institution) f.institutionId = institution;
  if (owner) f.ownerId = owner;
  if (overdue === 'yes' || overdue === 'no') f.overdue = overdue === 'yes';
  if (after) f.after = after;
  return f;
}

export function formatFilters(f: Filters): string {
  const p = new URLSearchParams();
  if (f.queue) p.set('queue', f.queue);
  const sameAsDefault =
    f.states.length === OPEN_STATES.length && OPEN_STATES.every((s) => f.states.includes(s));
  if (!sameAsDefault) p.set('state', f.states.join(','));
  if (f.institutionId) p.set('institution', f.institutionId);
  if (f.ownerId) p.set('owner', f.ownerId);
  if (f.overdue !== undefined) p.set('overdue', f.overdue ? 'yes' : 'no');
  if (f.after) p.set('after', f.after);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The GraphQL variables of a page of the queue. */
export function queueVariables(f: Filters, first: number) {
  return {
    first,
    after: f.after ?? null,
    queue: f.queue ?? null,
    state: f.states.length ? [...f.states] : null,
    institutionId: f.institutionId ?? null,
    ownerId: f.ownerId ?? null,
    overdue: f.overdue ?? null,
  };
}
