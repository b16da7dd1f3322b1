/**
 * A GraphQL subscription over Yoga's SSE from Node, as a script (or the portal) would hold
 * it: one POST with `accept: text/event-stream`, events collected until `stop()`.
 */
export interface HeardEvent {
  id: string;
  type: string;
  status?: string;
}

export interface Heard {
  events: HeardEvent[];
  error: string | undefined;
  /** Resolved once the server answered: events from then on are heard. */
  opened: Promise<void>;
  until(probe: (events: HeardEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  stop(): void;
}

const SUBSCRIPTIONS = {
  requestEvents: 'subscription { requestEvents { id type status } }',
  ticketEvents: 'subscription { ticketEvents { id type: action } }',
};

export function listenToRequestEvents(
  url: string,
  token: string,
  field: keyof typeof SUBSCRIPTIONS = 'requestEvents',
): Heard {
  const abort = new AbortController();
  let open = () => {};
  const heard: Heard = {
    opened: new Promise<void>((r) => {
      open = r;
    }),
    events: [],
    error: undefined,
    async until(probe, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!probe(heard.events)) {
        if (Date.now() > deadline)
          throw new Error(`not heard within ${timeoutMs} ms: ${JSON.stringify(heard.events)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: () => abort.abort(),
  };
  void (async () => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      signal: abort.signal,
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query: SUBSCRIPTIONS[field] }),
    });
    if (!res.ok || !res.body) throw new Error(`subscription refused: ${res.status}`);
    open();
    let buffer = '';
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const data = buffer
          .slice(0, end)
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5))
          .join('');
        buffer = buffer.slice(end + 2);
        if (data.trim()) {
          const msg = JSON.parse(data) as { data?: Record<string, HeardEvent>; errors?: unknown };
          if (msg.errors) heard.error = JSON.stringify(msg.errors);
          const event = msg.data?.[field];
          if (event) heard.events.push(event);
        }
        end = buffer.indexOf('\n\n');
      }
    }
  })().catch((e: unknown) => {
    if (!abort.signal.aborted) heard.error = String(e);
  });
  return heard;
}
