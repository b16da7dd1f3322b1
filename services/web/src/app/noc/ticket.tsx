import { readFragment } from 'gql.tada';
import { useState } from 'react';
import { gql } from '../graphql';
import { useT } from '../i18n';
import { useRequestEvents, useTicketEvents } from '../live';
import type { Navigate } from '../session';
import { useQuery } from '../use-query';
import { Clock, ownerLabel } from './clock';
import { Comments } from './comments';
import {
  APPROVE,
  ASSIGN,
  COMMENT,
  type Outcome,
  problem,
  REJECT,
  RELEASE,
  RETURN,
  TAKE,
  TICKET,
  TICKET_ROW,
} from './docs';
import { StaffSelect } from './staff-select';

/**
 * One ticket, as the NOC works it: owner (take, assign, release), the request's pending step
 * (approve, return, reject — with a reason), internal and public comments, its change log and
 * journal. Follows the ticket's and the request's events live.
 */
export function TicketPage(props: { id: string; navigate: Navigate; onSignedOut: () => void }) {
  const t = useT();
  const q = useQuery(TICKET, { id: props.id, objectId: props.id }, props.id, props.onSignedOut);
  const [error, setError] = useState<string>();
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState(false);
  const [staffId, setStaffId] = useState('');
  const found = q.data?.ticket;
  const row = found ? readFragment(TICKET_ROW, found) : undefined;
  const requestId = row?.requestId;
  useTicketEvents((e) => (e.id === '*' || e.id === props.id) && q.reload());
  useRequestEvents(requestId, () => q.reload());
  if (q.error) return <p role="alert">{q.error}</p>;
  if (!q.data) return <p>{t('loading')}</p>;
  const { viewer } = q.data;
  if (!found || !row)
    return (
      <p role="alert" className="error">
        {t('notFound')}
      </p>
    );
  const tk = { ...found, ...row };
  const canAct = viewer.scope === 'WRITE' && viewer.staffRoles.some((r) => r === 'NOC' || r === 'ADMIN');
  const step = tk.pendingActor === 'NOC' || tk.pendingActor === 'DESK' ? tk.currentStep : null;
  const act = async (run: () => Promise<Outcome>) => {
    setError(undefined);
    try {
      const p = problem(await run());
      setError(p);
      q.reload();
      return p === undefined;
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return false;
    }
  };
  // Return and reject need a reason (the institution reads it); an approval's is optional and
  // is added as a comment the institution reads.
  const decide = async (how: 'approve' | 'return' | 'reject') => {
    const why = reason.trim();
    if (how !== 'approve' && !why) return setReasonError(true);
    setReasonError(false);
    const done = await act(async () => {
      if (how === 'approve') {
        const r = (await gql(APPROVE, { requestId: tk.requestId, step: step ?? '' })).approveRequestStep;
        if (problem(r) || !why) return r;
        return (await gql(COMMENT, { ticketId: tk.id, body: why, visibility: 'INSTITUTION' }))
          .addTicketComment;
      }
      const input = { requestId: tk.requestId, step, reason: why };
      return how === 'return'
        ? (await gql(RETURN, input)).returnRequest
        : (await gql(REJECT, input)).rejectRequest;
    });
    if (done) setReason('');
  };

  return (
    <>
      <p>
        <a
          href="/noc"
          onClick={(e) => {
            e.preventDefault();
            history.back();
          }}
        >
          ← {t('navNoc')}
        </a>
      </p>
      <h1>
        {t('ticket')} — {tk.institutionName} — {tk.kind}
      </h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <dl className="card">
        <dt>{t('queue')}</dt>
        <dd>{tk.queue}</dd>
        <dt>{t('state')}</dt>
        <dd data-testid="ticket-state">{tk.state}</dd>
        <dt>{t('owner')}</dt>
        <dd data-testid="ticket-owner">{ownerLabel(tk.ownerId, viewer.id, t)}</dd>
        <dt>{t('responseDue')}</dt>
        <dd>
          <Clock
            due={tk.sla.responseDueAt}
            ratio={tk.sla.responseElapsedRatio}
            breached={tk.sla.responseBreached}
            paused={tk.sla.paused}
          />
        </dd>
        <dt>{t('resolutionDue')}</dt>
        <dd>
          <Clock
            due={tk.sla.resolutionDueAt}
            ratio={tk.sla.resolutionElapsedRatio}
            breached={tk.sla.resolutionBreached}
            paused={tk.sla.paused}
          />
        </dd>
        <dt>{t('step')}</dt>
        <dd data-testid="ticket-step">{tk.currentStep ?? '—'}</dd>
        <dt>{t('request')}</dt>
        <dd>
          <a
            href={`/requests/${tk.requestId}`}
            onClick={(e) => {
              e.preventDefault();
              props.navigate(`/requests/${tk.requestId}`);
            }}
          >
            {tk.requestId.slice(0, 8)}
          </a>
        </dd>
      </dl>
      {canAct && (
        <section className="card" aria-labelledby="owner-title">
          <h2 id="owner-title">{t('owner')}</h2>
          <div className="row">
            {tk.ownerId !== viewer.id && (
              <button
                type="button"
                onClick={() => act(async () => (await gql(TAKE, { ticketId: tk.id })).takeTicket)}
              >
                {t('take')}
              </button>
            )}
            {tk.ownerId && (
              <button
                type="button"
                onClick={() => act(async () => (await gql(RELEASE, { ticketId: tk.id })).releaseTicket)}
              >
                {t('release')}
              </button>
            )}
            <StaffSelect id="assign-staff" value={staffId} onChange={setStaffId} />
            <button
              type="button"
              disabled={!staffId.trim()}
              onClick={() =>
                act(
                  async () => (await gql(ASSIGN, { ticketId: tk.id, staffId: staffId.trim() })).assignTicket,
                )
              }
            >
              {t('assign')}
            </button>
          </div>
        </section>
      )}
      {canAct && step && (
        <section className="card" aria-labelledby="step-title">
          <h2 id="step-title">
            {t('step')} « {step} »
          </h2>
          <div className="field">
            <label htmlFor="step-reason">{t('reason')}</label>
            <textarea
              id="step-reason"
              rows={3}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              aria-invalid={reasonError || undefined}
              aria-describedby={reasonError ? 'step-reason-error' : 'step-reason-help'}
            />
            {reasonError ? (
              <span id="step-reason-error" className="error">
                {t('reasonRequired')}
              </span>
            ) : (
              <span id="step-reason-help" className="help">
                {t('reasonHelp')}
              </span>
            )}
          </div>
          <button type="button" onClick={() => decide('approve')}>
            {t('approve')} « {step} »
          </button>
          <button type="button" onClick={() => decide('return')}>
            {t('returnRequest')}
          </button>
          <button type="button" onClick={() => decide('reject')}>
            {t('rejectRequest')}
          </button>
        </section>
      )}
      <Comments
        comments={tk.comments}
        canWrite={canAct}
        onAdd={(body, visibility) =>
          act(async () => (await gql(COMMENT, { ticketId: tk.id, body, visibility })).addTicketComment)
        }
      />
      <section className="card" aria-labelledby="log-title">
        <h2 id="log-title">{t('changeLog')}</h2>
        <ul data-testid="change-log">
          {q.data.changes.edges.map(({ node: c }) => (
            <li key={c.id}>
              {new Date(c.at).toLocaleString()} — <code>{c.action}</code> — {c.actor}
            </li>
          ))}
        </ul>
        <h2>{t('journal')}</h2>
        {q.data.journal.length === 0 ? (
          <p>—</p>
        ) : (
          <ul>
            {q.data.journal.map((j) => (
              <li key={j.id}>
                {new Date(j.at).toLocaleString()} — {j.kind} — {j.actor}: {j.body}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
