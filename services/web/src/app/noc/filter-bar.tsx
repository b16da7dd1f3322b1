import { useT } from '../i18n';
import { type Filters, TICKET_STATES } from './filters';

/** The queue's filters: each control applies at once (and lands in the URL). */
export function FilterBar(props: {
  filters: Filters;
  onChange: (f: Filters) => void;
  viewerId: string | undefined;
  owners: string[];
  queues: string[];
  institutions: readonly { id: string; name: string }[];
}) {
  const t = useT();
  const { filters: f, onChange } = props;
  const set = (patch: Partial<Filters>) => onChange({ ...f, ...patch });
  const ownerChoices = [
    ...new Set([...(f.ownerId && f.ownerId !== props.viewerId ? [f.ownerId] : []), ...props.owners]),
  ];
  return (
    <form className="filters card" aria-label={t('filters')} onSubmit={(e) => e.preventDefault()}>
      <div className="field">
        <label htmlFor="f-queue">{t('queue')}</label>
        <select
          id="f-queue"
          value={f.queue ?? ''}
          onChange={(e) => set({ queue: e.target.value || undefined })}
        >
          <option value="">{t('all')}</option>
          {props.queues.map((q) => (
            <option key={q} value={q}>
              {q}
            </option>
          ))}
        </select>
      </div>
      <fieldset>
        <legend>{t('state')}</legend>
        {TICKET_STATES.map((s) => (
          <label key={s} className="inline">
            <input
              type="checkbox"
              checked={f.states.includes(s)}
              onChange={(e) =>
                set({ states: e.target.checked ? [...f.states, s] : f.states.filter((x) => x !== s) })
              }
            />{' '}
            {s}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor="f-institution">{t('institution')}</label>
        <select
          id="f-institution"
          value={f.institutionId ?? ''}
          onChange={(e) => set({ institutionId: e.target.value || undefined })}
        >
          <option value="">{t('all')}</option>
          {props.institutions.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-owner">{t('owner')}</label>
        <select
          id="f-owner"
          value={f.ownerId ?? ''}
          onChange={(e) => set({ ownerId: e.target.value || undefined })}
        >
          <option value="">{t('anyone')}</option>
          {props.viewerId && <option value={props.viewerId}>{t('me')}</option>}
          {ownerChoices.map((o) => (
            <option key={o} value={o}>
              {o.slice(0, 8)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-overdue">{t('overdue')}</label>
        <select
          id="f-overdue"
          value={f.overdue === undefined ? '' : f.overdue ? 'yes' : 'no'}
          onChange={(e) => set({ overdue: e.target.value === '' ? undefined : e.target.value === 'yes' })}
        >
          <option value="">{t('all')}</option>
          <option value="yes">{t('overdueOnly')}</option>
          <option value="no">{t('onTime')}</option>
        </select>
      </div>
    </form>
  );
}
