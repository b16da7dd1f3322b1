import { useState } from 'react';
import { gql, graphql } from './graphql';
import { useT } from './i18n';
import { useRequestEvents, useTicketEvents } from './live';
import type { Navigate } from './session';
import { useQuery } from './use-query';

const QUEUE = graphql(`
  query NocQueue {
    viewer { id staffRoles scope }
    tickets(first: 25, state: [NEW, OPEN, WAITING]) {
      edges {
        node {
          id
          requestId
          queue
          state
          kind
          institutionName
          ownerId
          createdAt
          sla {
            paused
            responseDueAt
            resolutionDueAt
            responseBreached
            resolutionBreached
            responseElapsedRatio
            resolutionElapsedRatio
          }
        }
      }
    }
    requests(status: IN_PROGRESS, first: 50) {
      edges { node { id currentStep pendingActor } }
    }
  }
`);

const TAKE = graphql(`
  mutation TakeTicket($ticketId: ID!) {
    takeTicket(input: { ticketId: $ticketId }) {
      __typename
      ... on Error { code message }
    }
  }
`);

const APPROVE = graphql(`
  mutation ApproveStep($requestId: ID!, $step: String!) {
    approveRequestStep(input: { requestId: $requestId, step: $step }) {
      __typename
      ... on Error { code message }
    }
  }
`);

/** A clock: its due time, and its state (breached, or past 80 % of the target). */
function Clock(props: { due: string; ratio: number; breached: boolean; paused: boolean }) {
  const t = useT();
  const level = props.breached ? 'breach' : props.ratio >= 0.8 ? 'warning' : 'ok';
  return (
    <span className={`clock ${level}`} data-level={level}>
      {new Date(props.due).toLocaleString()}
      {props.paused && ' ⏸'}
      {level !== 'ok' && ` (${t(level === 'breach' ? 'breached' : 'warning')})`}
    </span>
  );
}

/** The NOC's open tickets with owner, state and both SLA clocks; take and approve; live. */
export function NocPage(props: { navigate: Navigate; onSignedOut: () => void }) {
  const t = useT();
  const q = useQuery(QUEUE, {}, 'queue', props.onSignedOut);
  const [error, setError] = useState<string>();
  // A new or changed request, and a ticket taken or released by a colleague: both reload the queue.
  useRequestEvents(undefined, () => q.reload());
  useTicketEvents(() => q.reload());
  if (q.error) return <p role="alert">{q.error}</p>;
  if (!q.data) return <p>{t('loading')}</p>;
  const { viewer } = q.data;
  const canAct = viewer.scope === 'WRITE' && viewer.staffRoles.some((r) => r === 'NOC' || r === 'ADMIN');
  const pending = new Map(q.data.requests.edges.map((e) => [e.node.id, e.node]));
  const rows = q.data.tickets.edges.map((e) => e.node);
  const act = async (run: () => Promise<{ __typename: string; code?: string; message?: string }>) => {
    setError(undefined);
    try {
      const r = await run();
      if (r.message) setError(`${r.code}: ${r.message}`);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
    q.reload();
  };
  return (
    <>
      <h1>{t('navNoc')}</h1>
      <p className="help">{t('live')} ●</p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {rows.length === 0 ? (
        <p>{t('noTickets')}</p>
      ) : (
        <table aria-label={t('tickets')}>
          <thead>
            <tr>
              <th scope="col">{t('institution')}</th>
              <th scope="col">{t('kind')}</th>
              <th scope="col">{t('queue')}</th>
              <th scope="col">{t('state')}</th>
              <th scope="col">{t('owner')}</th>
              <th scope="col">{t('responseDue')}</th>
              <th scope="col">{t('resolutionDue')}</th>
              <th scope="col">{t('actions')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((tk) => {
              const req = pending.get(tk.requestId);
              const nocStep = req?.pendingActor === 'NOC' ? req.currentStep : null;
              return (
                <tr key={tk.id} data-ticket={tk.id} data-request={tk.requestId}>
                  <td>{tk.institutionName}</td>
                  <td>
                    <a
                      href={`/requests/${tk.requestId}`}
                      onClick={(e) => {
                        e.preventDefault();
                        props.navigate(`/requests/${tk.requestId}`);
                      }}
                    >
                      {tk.kind}
                    </a>
                  </td>
                  <td>{tk.queue}</td>
                  <td data-testid="ticket-state">{tk.state}</td>
                  <td data-testid="ticket-owner">
                    {tk.ownerId ? (tk.ownerId === viewer.id ? t('me') : tk.ownerId.slice(0, 8)) : t('nobody')}
                  </td>
                  <td>
                    <Clock
                      due={tk.sla.responseDueAt}
                      ratio={tk.sla.responseElapsedRatio}
                      breached={tk.sla.responseBreached}
                      paused={tk.sla.paused}
                    />
                  </td>
                  <td>
                    <Clock
                      due={tk.sla.resolutionDueAt}
                      ratio={tk.sla.resolutionElapsedRatio}
                      breached={tk.sla.resolutionBreached}
                      paused={tk.sla.paused}
                    />
                  </td>
                  <td>
                    {canAct && tk.ownerId !== viewer.id && (
                      <button
                        type="button"
                        onClick={() => act(async () => (await gql(TAKE, { ticketId: tk.id })).takeTicket)}
                      >
                        {t('take')}
                      </button>
                    )}
                    {canAct && nocStep && (
                      <button
                        type="button"
                        onClick={() =>
                          act(
                            async () =>
                              (await gql(APPROVE, { requestId: tk.requestId, step: nocStep }))
                                .approveRequestStep,
                          )
                        }
                      >
                        {t('approve')} « {nocStep} »
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
