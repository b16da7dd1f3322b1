import { useState } from 'react';
import { gql, type ResultOf } from '../graphql';
import { useT } from '../i18n';
import { ACT_ON_TICKETS, type Outcome, problem, type TICKET_ROW } from './docs';
import { StaffSelect } from './staff-select';

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
 * Bulk actions on the selected tickets: one `actOnTickets` call, each item authorised and run
 * in its own transaction, one result per ticket shown beside its name (a conflict on one does
 * not stop the others).
 */
export function BulkBar(props: { rows: Row[]; onDone: () => void }) {
  const t = useT();
  const [staffId, setStaffId] = useState('');
  const [reason, setReason] = useState('');
  const [fieldError, setFieldError] = useState<string>();
  const [results, setResults] = useState<ItemResult[]>([]);
  const [busy, setBusy] = useState(false);

  const ACTION = {
    take: 'TAKE',
    release: 'RELEASE',
    assign: 'ASSIGN',
    approve: 'APPROVE',
    reject: 'REJECT',
  } as const;
  const itemOf = (action: Action, tk: Row) => ({
    input: {
      action: ACTION[action],
      ticketId: tk.id,
      ...(action === 'assign' ? { staffId } : {}),
      ...(action === 'reject' ? { reason: reason.trim() } : {}),
      // The step the row shows, so a step that moved on meanwhile is refused, not acted on.
      ...((action === 'approve' || action === 'reject') && tk.currentStep ? { step: tk.currentStep } : {}),
    },
  });

  const run = async (action: Action) => {
    setFieldError(undefined);
    if (action === 'assign' && !staffId) return setFieldError('assign');
    if (action === 'reject' && !reason.trim()) return setFieldError('reject');
    setBusy(true);
    setResults([]);
    // Refused here, not sent: an approval where no step waits on the NOC.
    const skipped = (tk: Row) => action === 'approve' && (tk.pendingActor !== 'NOC' || !tk.currentStep);
    const sent = props.rows.filter((tk) => !skipped(tk));
    const outcomes = new Map<string, string | undefined>();
    try {
      if (sent.length) {
        const r = (await gql(ACT_ON_TICKETS, { items: sent.map((tk) => itemOf(action, tk)) })).actOnTickets;
        sent.forEach((tk, i) => {
          if (r.__typename !== 'ActOnTicketsPayload') outcomes.set(tk.id, problem(r) ?? r.__typename);
          else outcomes.set(tk.id, problem(r.results[i] as Outcome));
        });
      }
    } catch (e) {
      for (const tk of sent) outcomes.set(tk.id, e instanceof Error ? e.message : String(e));
    }
    setResults(
      props.rows.map((tk) => {
        const message = skipped(tk) ? t('noNocStep') : outcomes.get(tk.id);
        const label = `${tk.institutionName ?? ''} — ${tk.kind ?? tk.queue}`;
        return { id: tk.id, label, ok: message === undefined, message: message ?? t('done') };
      }),
    );
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
        <StaffSelect
          id="bulk-staff"
          value={staffId}
          onChange={setStaffId}
          {...(fieldError === 'assign' ? { errorId: 'bulk-staff-error' } : {})}
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
