import { useT } from '../i18n';

/** A clock: its due time, and its state (breached, or past 80 % of the target). */
export function Clock(props: { due: string; ratio: number; breached: boolean; paused: boolean }) {
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

/** Who owns a ticket, for a person: me, nobody, or the start of a staff id. */
export function ownerLabel(
  ownerId: string | null,
  viewerId: string | null | undefined,
  t: ReturnType<typeof useT>,
) {
  if (!ownerId) return t('nobody');
  return ownerId === viewerId ? t('me') : ownerId.slice(0, 8);
}
