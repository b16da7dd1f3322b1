import { graphql } from './graphql';
import { useT } from './i18n';
import { useRequestEvents } from './live';
import { ChangeLog, PublicComments } from './record';
import { SignaturePanel } from './signature';
import { useQuery } from './use-query';

const REQUEST = graphql(`
  query RequestPage($id: ID!) {
    viewer { id kind scope }
    request(id: $id) {
      id
      kind
      title
      status
      currentStep
      pendingActor
      createdAt
      reason
      institution { name contacts { id roles } }
      document { text hash }
      assignment { prefix lifecycle }
      steps { name type state description actedBy }
      history { id at type actor step note fromStatus toStatus }
      comments { id author body createdAt visibility }
      changes(first: 20) { edges { node { id at actor action objectType objectId } } }
    }
  }
`);

/**
 * One request: status, steps, history, the operator's comments and its change log; follows
 * its events live.
 */
export function RequestPage(props: { id: string; onSignedOut: () => void }) {
  const t = useT();
  const q = useQuery(REQUEST, { id: props.id }, props.id, props.onSignedOut);
  useRequestEvents(q.data?.request ? props.id : undefined, () => q.reload());
  if (q.error) return <p role="alert">{q.error}</p>;
  if (!q.data) return <p>{t('loading')}</p>;
  const r = q.data.request;
  if (!r)
    return (
      <p role="alert" className="error">
        {t('notFound')}
      </p>
    );
  const viewer = q.data.viewer;
  // The API decides (signRequest refuses anyone else); the page only hides what would be refused.
  const canSign =
    viewer.kind === 'CONTACT' &&
    viewer.scope === 'WRITE' &&
    (r.institution.contacts.find((c) => c.id === viewer.id)?.roles.includes('HEAD') ?? false);
  return (
    <>
      <h1>
        {t('request')} — {r.title}
      </h1>
      <dl className="card">
        <dt>{t('institution')}</dt>
        <dd>{r.institution.name}</dd>
        <dt>{t('kind')}</dt>
        <dd>{r.kind}</dd>
        <dt>{t('status')}</dt>
        <dd data-testid="request-status">{r.status}</dd>
        <dt>{t('step')}</dt>
        <dd>{r.currentStep ?? '—'}</dd>
        {r.assignment && (
          <>
            <dt>{t('prefix')}</dt>
            <dd>
              <code>{r.assignment.prefix}</code> ({r.assignment.lifecycle})
            </dd>
          </>
        )}
      </dl>
      {r.document && r.currentStep === 'signature' && r.pendingActor === 'HEAD' && (
        <SignaturePanel
          requestId={r.id}
          document={r.document}
          canSign={canSign}
          onSigned={() => q.reload()}
        />
      )}
      <section aria-labelledby="steps-h" className="card">
        <h2 id="steps-h">{t('steps')}</h2>
        <ol>
          {r.steps.map((s) => (
            <li key={s.name} data-step={s.name} data-state={s.state}>
              <strong>{s.name}</strong> — {s.state} {s.actedBy && `(${s.actedBy})`}
              <br />
              <small>{s.description}</small>
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="history-h" className="card">
        <h2 id="history-h">{t('history')}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('createdAt')}</th>
              <th scope="col">{t('kind')}</th>
              <th scope="col">{t('step')}</th>
              <th scope="col">{t('actor')}</th>
            </tr>
          </thead>
          <tbody>
            {r.history.map((h) => (
              <tr key={h.id}>
                <td>{new Date(h.at).toLocaleString()}</td>
                <td>
                  {h.type}
                  {h.toStatus && ` → ${h.toStatus}`}
                </td>
                <td>{h.step ?? ''}</td>
                <td>{h.actor}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {/* A staff reader gets internal comments too: this section is what the institution reads. */}
      <PublicComments comments={r.comments.filter((c) => c.visibility === 'INSTITUTION')} />
      <ChangeLog rows={r.changes?.edges.map((e) => e.node) ?? []} testId="request-log" />
    </>
  );
}
