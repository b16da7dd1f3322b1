import { useState } from 'react';
import { gql, type ResultOf } from '../graphql';
import { useT } from '../i18n';
import { APPROVE, ASSIGN, type Outcome, problem, REJECT, RELEASE, TAKE, type TICKET_ROW } from './docs';

type Row = ResultOf<typeof TICKET_ROW>;
type Action = 'take' | 'release' | 'assign' | 'approve' | 'reject';

/** One ticket's result of a bulk action, shown beside its name. */
interface ItemResult {
  id: string;
  label: string;
  ok: boolean;
  message: string;
}

/**
 * Bulk actions on the selected tickets. The api has no bulk mutation for tickets: one mutation
 * per ticket, in turn, each with its own result (a conflict on one does not stop the others).
 */
export function BulkBar(props: { rows: Row[]; onDone: () => void }) {
  const t = useT();
  const [staffId, setStaffId] = useState('');
  const [reason, setReason] = useState('');
  const [fieldError, setFieldError] = useState<string>();
  const [results, setResults] = useState<ItemResult[]>([]);
  const [busy, setBusy] = useState(false);

  const one = async (action: Action, tk: Row): Promise<Outcome | string> => {
    switch (action) {
      case 'take':
        return (await gql(TAKE, { ticketId: tk.id })).takeTicket;
      case 'release':
        return (await gql(RELEASE, { ticketId: tk.id })).releaseTicket;
      case 'assign':
        return (await gql(ASSIGN, { ticketId: tk.id, staffId: staffId.trim() })).assignTicket;
      case 'approve':
        if (tk.pendingActor !== 'NOC' || !tk.currentStep) return t('noNocStep');
        return (await gql(APPROVE, { requestId: tk.requestId, step: tk.currentStep })).approveRequestStep;
      case 'reject':
        return (await gql(REJECT, { requestId: tk.requestId, step: tk.currentStep, reason: reason.trim() }))
          .rejectRequest;
    }
  };

  const run = async (action: Action) => {
    setFieldError(undefined);
    if (action === 'assign' && !staffId.trim()) return setFieldError('assign');
    if (action === 'reject' && !reason.trim()) return setFieldError('reject');
    setBusy(true);
    const done: ItemResult[] = [];
    setResults([]);
    for (const tk of props.rows) {
      const label = `${tk.institutionName ?? ''} — ${tk.kind ?? tk.queue}`;
      let outcome: Outcome | string;
      try {
        outcome = await one(action, tk);
      } catch (e) {
        outcome = e instanceof Error ? e.message : String(e);
      }
      const message = typeof outcome === 'string' ? outcome : problem(outcome);
      done.push({ id: tk.id, label, ok: message === undefined, message: message ?? t('done') });
      setResults([...done]);
    }
    setBusy(false);
    props.onDone();
  };

  return (
    <section className="card bulk" aria-labelledby="bulk-title">
      <h2 id="bulk-title">
        {t('bulkTitle')} ({props.rows.length})
      </h2>
      <div className="row">
        <button type="button" disabled={busy} onClick={() => run('take')}>
          {t('bulkTake')}
        </button>
        <button type="button" disabled={busy} onClick={() => run('release')}>
          {t('bulkRelease')}
        </button>
        <button type="button" disabled={busy} onClick={() => run('approve')}>
          {t('bulkApprove')}
        </button>
      </div>
      <div className="row">
        <label htmlFor="bulk-staff">{t('staffId')}</label>
        <input
          id="bulk-staff"
          value={staffId}
          onChange={(e) => setStaffId(e.target.value)}
          aria-invalid={fieldError === 'assign' || undefined}
          aria-describedby={fieldError === 'assign' ? 'bulk-staff-error' : undefined}
        />
        <button type="button" disabled={busy} onClick={() => run('assign')}>
          {t('bulkAssign')}
        </button>
        {fieldError === 'assign' && (
          <span id="bulk-staff-error" className="error">
            {t('required')}
          </span>
        )}
      </div>
      <div className="row">
        <label htmlFor="bulk-reason">{t('reason')}</label>
        <input
          id="bulk-reason"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          aria-invalid={fieldError === 'reject' || undefined}
          aria-describedby={fieldError === 'reject' ? 'bulk-reason-error' : undefined}
        />
        <button type="button" disabled={busy} onClick={() => run('reject')}>
          {t('bulkReject')}
        </button>
        {fieldError === 'reject' && (
          <span id="bulk-reason-error" className="error">
            {t('required')}
          </span>
        )}
      </div>
      {results.length > 0 && (
        <ul aria-label={t('bulkResults')} aria-live="polite" data-testid="bulk-results">
          {results.map((r) => (
            <li
              key={r.id}
              data-ticket={r.id}
              data-outcome={r.ok ? 'ok' : 'error'}
              className={r.ok ? '' : 'error'}
            >
              {r.label}: {r.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
