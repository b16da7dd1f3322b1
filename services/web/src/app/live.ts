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

export interface LiveEvent {
  id: string;
  eventId: number;
  type: string;
  status: string;
  step: string | null;
}

async function listen(
  requestId: string | undefined,
  onEvent: (e: LiveEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await fetch('/graphql', {
    method: 'POST',
    credentials: 'same-origin',
    signal,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...csrfHeader() },
    body: JSON.stringify({ query: print(REQUEST_EVENTS), variables: { requestId } }),
  });
  if (!res.ok || !res.body) throw new Error(`subscription refused (${res.status})`);
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
        const payload = JSON.parse(data) as { data?: { requestEvents?: LiveEvent } };
        if (payload.data?.requestEvents) onEvent(payload.data.requestEvents);
      }
      end = buffer.indexOf('\n\n');
    }
  }
}

/** Calls `onEvent` for each new event (of one request, or of all the caller may read); reconnects. */
export function useRequestEvents(requestId: string | undefined, onEvent: (e: LiveEvent) => void): void {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    const abort = new AbortController();
    const loop = async () => {
      while (!abort.signal.aborted) {
        try {
          await listen(requestId, (e) => handler.current(e), abort.signal);
        } catch {
          // The api restarted or the network blinked: wait, then subscribe again.
        }
        if (!abort.signal.aborted) await new Promise((r) => setTimeout(r, 2000));
      }
    };
    void loop();
    return () => abort.abort();
  }, [requestId]);
}
