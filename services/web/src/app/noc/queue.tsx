import { readFragment } from 'gql.tada';
import { useCallback, useEffect, useState } from 'react';
import { gql, type ResultOf } from '../graphql';
import { useT } from '../i18n';
import { useRequestEvents, useTicketEvents } from '../live';
import type { Navigate } from '../session';
import { useQuery } from '../use-query';
import { BulkBar } from './bulk';
import { Clock, ownerLabel } from './clock';
import { APPROVE, FILTER_CHOICES, type Outcome, problem, QUEUE, TAKE, TICKET_ROW } from './docs';
import { FilterBar } from './filter-bar';
import { type Filters, formatFilters, parseFilters, queueVariables } from './filters';

type Row = ResultOf<typeof TICKET_ROW>;
export const PAGE_SIZE = 25;

/** The filters of the URL; each change rewrites the query string (reload, bookmark, share). */
function useUrlFilters(): [Filters, (f: Filters) => void] {
  const [filters, set] = useState(() => parseFilters(location.search));
  useEffect(() => {
    const on = () => set(parseFilters(location.search));
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  const change = useCallback((f: Filters) => {
    history.pushState(null, '', `/noc${formatFilters(f)}`);
    set(f);
  }, []);
  return [filters, change];
}

/**
 * The NOC's tickets with owner, state and both SLA clocks: filtered, paged by keyset (25 a page),
 * selectable for bulk actions; take and approve on each row; live (a colleague's action, a new
 * request, reload the page shown).
 */
export function NocPage(props: { navigate: Navigate; onSignedOut: () => void }) {
  const t = useT();
  const [filters, setFilters] = useUrlFilters();
  const choices = useQuery(FILTER_CHOICES, {}, 'choices', props.onSignedOut);
  const vars = queueVariables(filters, PAGE_SIZE);
  const q = useQuery(QUEUE, vars, JSON.stringify(vars), props.onSignedOut);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string>();
  const [trail, setTrail] = useState<(string | undefined)[]>([]);
  useRequestEvents(undefined, () => q.reload());
  useTicketEvents(() => q.reload());

  const refilter = (f: Filters) => {
    setSelected(new Set());
    setTrail([]);
    setFilters({ ...f, after: undefined });
  };
  if (q.error || choices.error) return <p role="alert">{q.error ?? choices.error}</p>;
  if (!q.data || !choices.data) return <p>{t('loading')}</p>;
  const { viewer } = choices.data;
  const canAct = viewer.scope === 'WRITE' && viewer.staffRoles.some((r) => r === 'NOC' || r === 'ADMIN');
  const rows = q.data.tickets.edges.map((e) => readFragment(TICKET_ROW, e.node));
  const { pageInfo } = q.data.tickets;
  const chosen = rows.filter((r) => selected.has(r.id));
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const act = async (run: () => Promise<Outcome>) => {
    setError(undefined);
    try {
      setError(problem(await run()));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
    q.reload();
  };
  const page = (after: string | undefined, back: boolean) => {
    setSelected(new Set());
    setTrail(back ? trail.slice(0, -1) : [...trail, filters.after]);
    setFilters({ ...filters, after });
  };
  const owners = [...new Set(rows.map((r) => r.ownerId).filter((o): o is string => !!o && o !== viewer.id))];

  return (
    <>
      <h1>{t('navNoc')}</h1>
      <p className="help">{t('live')} ●</p>
      <FilterBar
        filters={filters}
        onChange={refilter}
        viewerId={viewer.id ?? undefined}
        owners={owners}
        queues={[...new Set(choices.data.requestKinds.map((k) => k.queue))].sort()}
        institutions={choices.data.institutions.edges.map((e) => e.node)}
      />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {canAct && chosen.length > 0 && <BulkBar rows={chosen} onDone={() => q.reload()} />}
      {rows.length === 0 ? (
        <p>{t('noTickets')}</p>
      ) : (
        <table aria-label={t('tickets')}>
          <thead>
            <tr>
              {canAct && (
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label={t('selectPage')}
                    checked={chosen.length === rows.length}
                    onChange={(e) => setSelected(new Set(e.target.checked ? rows.map((r) => r.id) : []))}
                  />
                </th>
              )}
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
            {rows.map((tk) => (
              <TicketRow
                key={tk.id}
                tk={tk}
                viewerId={viewer.id ?? undefined}
                canAct={canAct}
                selected={selected.has(tk.id)}
                onSelect={(on) => toggle(tk.id, on)}
                navigate={props.navigate}
                act={act}
              />
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label={t('paging')} className="row">
        {filters.after && (
          <button type="button" onClick={() => page(trail.at(-1), true)}>
            {t('previousPage')}
          </button>
        )}
        {pageInfo.hasNextPage && pageInfo.endCursor && (
          <button type="button" onClick={() => page(pageInfo.endCursor ?? undefined, false)}>
            {t('nextPage')}
          </button>
        )}
      </nav>
    </>
  );
}

function TicketRow(props: {
  tk: Row;
  viewerId: string | undefined;
  canAct: boolean;
  selected: boolean;
  onSelect: (on: boolean) => void;
  navigate: Navigate;
  act: (run: () => Promise<Outcome>) => void;
}) {
  const t = useT();
  const { tk, canAct, act } = props;
  const nocStep = tk.pendingActor === 'NOC' ? tk.currentStep : null;
  const go = (to: string) => (e: React.MouseEvent) => {
    e.preventDefault();
    props.navigate(to);
  };
  return (
    <tr data-ticket={tk.id} data-request={tk.requestId}>
      {canAct && (
        <td>
          <input
            type="checkbox"
            aria-label={`${t('select')} ${tk.institutionName} — ${tk.kind}`}
            checked={props.selected}
            onChange={(e) => props.onSelect(e.target.checked)}
          />
        </td>
      )}
      <td>{tk.institutionName}</td>
      <td>
        <a href={`/requests/${tk.requestId}`} onClick={go(`/requests/${tk.requestId}`)}>
          {tk.kind}
        </a>
      </td>
      <td>{tk.queue}</td>
      <td data-testid="ticket-state">{tk.state}</td>
      <td data-testid="ticket-owner">{ownerLabel(tk.ownerId, props.viewerId, t)}</td>
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
        <a href={`/noc/tickets/${tk.id}`} onClick={go(`/noc/tickets/${tk.id}`)}>
          {t('openTicket')}
        </a>{' '}
        {canAct && tk.ownerId !== props.viewerId && (
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
                  (await gql(APPROVE, { requestId: tk.requestId, step: nocStep })).approveRequestStep,
              )
            }
          >
            {t('approve')} « {nocStep} »
          </button>
        )}
      </td>
    </tr>
  );
}
