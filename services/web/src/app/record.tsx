import { useT } from './i18n';

export interface ChangeRow {
  id: string;
  at: string;
  actor: string;
  action: string;
  objectType: string;
  objectId: string;
}

/**
 * An object page's change log, newest first, as the API lets the viewer read it (a contact:
 * their institution's own objects, never a ticket's).
 */
export function ChangeLog(props: { rows: readonly ChangeRow[]; testId: string }) {
  const t = useT();
  return (
    <section aria-labelledby={`${props.testId}-h`} className="card">
      <h2 id={`${props.testId}-h`}>{t('recordLog')}</h2>
      <p>
        <small>{t('recordLogHelp')}</small>
      </p>
      {props.rows.length === 0 ? (
        <p>{t('noChanges')}</p>
      ) : (
        <table data-testid={props.testId}>
          <thead>
            <tr>
              <th scope="col">{t('logWhen')}</th>
              <th scope="col">{t('logAction')}</th>
              <th scope="col">{t('logObject')}</th>
              <th scope="col">{t('logActor')}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((c) => (
              <tr key={c.id} data-object-type={c.objectType} data-action={c.action}>
                <td>{new Date(c.at).toLocaleString()}</td>
                <td>
                  <code>{c.action}</code>
                </td>
                <td>
                  {c.objectType} <small>{c.objectId.slice(0, 8)}</small>
                </td>
                <td>{c.actor}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The comments the operator wrote for the institution on a request's ticket, oldest first. */
export function PublicComments(props: {
  comments: readonly { id: string; author: string; body: string; createdAt: string }[];
}) {
  const t = useT();
  return (
    <section aria-labelledby="public-comments-h" className="card">
      <h2 id="public-comments-h">{t('publicComments')}</h2>
      {props.comments.length === 0 ? (
        <p>{t('noComments')}</p>
      ) : (
        <ol className="comments" data-testid="request-comments">
          {props.comments.map((c) => (
            <li key={c.id}>
              <strong>{c.author}</strong>, {new Date(c.createdAt).toLocaleString()}
              <p>{c.body}</p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
