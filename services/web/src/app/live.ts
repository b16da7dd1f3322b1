import { print } from '@0no-co/graphql.web';
import { useEffect, useRef } from 'react';
import { csrfHeader, graphql } from './graphql';

/**
 * GraphQL subscriptions over Yoga's server-sent events ("distinct connections" mode: one POST
 * with `accept: text/event-stream` per subscription). fetch rather than EventSource: the POST
 * carries the session's CSRF header like every other cookie request.
 */
const REQUEST_EVENTS = graphql(`
  subscription RequestEvents($requestId: ID) {
    requestEvents(requestId: $requestId) { id eventId type status step }
  }
`);

const TICKET_EVENTS = graphql(`
  subscription TicketEvents {
    ticketEvents { id changeId action }
  }
`);

/** What the pages need of an event: which object changed. */
export interface LiveEvent {
  id: string;
}

type Source = { query: string; variables: Record<string, unknown>; field: 'requestEvents' | 'ticketEvents' };

async function listen(source: Source, onEvent: (e: LiveEvent) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch('/graphql', {
    method: 'POST',
    credentials: 'same-origin',
    signal,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...csrfHeader() },
    body: JSON.stringify({ query: source.query, variables: source.variables }),
  });
  if (!res.ok || !res.body) throw new Error(`subscription refused (${res.status})`);
  // The stream starts from the moment the server subscribed: what changed between the page's
  // query and now would be missed, so the page reloads once here (and after each reconnect).
  onEvent({ id: '*' });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = message
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('\n');
      if (data) {
        const payload = JSON.parse(data) as { data?: Record<string, LiveEvent | undefined> };
        const event = payload.data?.[source.field];
        if (event) onEvent(event);
      }
      end = buffer.indexOf('\n\n');
    }
  }
}

/** Calls `onEvent` for each new event (of one request, or of all the caller may read); reconnects. */
export function useRequestEvents(requestId: string | undefined, onEvent: (e: LiveEvent) => void): void {
  useLive(
    { query: print(REQUEST_EVENTS), variables: { requestId }, field: 'requestEvents' },
    requestId ?? '*',
    onEvent,
  );
}

/** Calls `onEvent` for each change to a ticket the caller may read (take, assign…). */
export function useTicketEvents(onEvent: (e: LiveEvent) => void): void {
  useLive({ query: print(TICKET_EVENTS), variables: {}, field: 'ticketEvents' }, 'tickets', onEvent);
}

function useLive(source: Source, key: string, onEvent: (e: LiveEvent) => void): void {
  const handler = useRef(onEvent);
  const current = useRef(source);
  current.current = source;
  handler.current = onEvent;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names the stream; a new key, a new subscription.
  useEffect(() => {
    const abort = new AbortController();
    const loop = async () => {
      while (!abort.signal.aborted) {
        try {
          await listen(current.current, (e) => handler.current(e), abort.signal);
        } catch {
          // The api restarted or the network blinked: wait, then subscribe again.
        }
        if (!abort.signal.aborted) await new Promise((r) => setTimeout(r, 2000));
      }
    };
    void loop();
    return () => abort.abort();
  }, [key]);
}
