import { useState } from 'react';
import { useT } from '../i18n';

type Visibility = 'INTERNAL' | 'INSTITUTION';

/** A ticket's comments, oldest first, each marked internal or public; a form to add one. */
export function Comments(props: {
  comments: readonly {
    id: string;
    author: string;
    body: string;
    createdAt: string;
    visibility: Visibility;
  }[];
  canWrite: boolean;
  onAdd: (body: string, visibility: Visibility) => Promise<boolean>;
}) {
  const t = useT();
  const [body, setBody] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('INTERNAL');
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!body.trim()) return;
    if (await props.onAdd(body.trim(), visibility)) setBody('');
  };
  return (
    <section className="card" aria-labelledby="comments-title">
      <h2 id="comments-title">{t('comments')}</h2>
      {props.comments.length === 0 ? (
        <p>{t('noComments')}</p>
      ) : (
        <ol className="comments">
          {props.comments.map((c) => (
            <li
              key={c.id}
              data-visibility={c.visibility}
              className={c.visibility === 'INTERNAL' ? 'internal' : ''}
            >
              <strong>{c.visibility === 'INTERNAL' ? t('internal') : t('public')}</strong> — {c.author},{' '}
              {new Date(c.createdAt).toLocaleString()}
              <p>{c.body}</p>
            </li>
          ))}
        </ol>
      )}
      {props.canWrite && (
        <form onSubmit={submit}>
          <div className="field">
            <label htmlFor="comment-body">{t('newComment')}</label>
            <textarea id="comment-body" rows={3} value={body} onChange={(e) => setBody(e.target.value)} />
          </div>
          <fieldset>
            <legend>{t('visibility')}</legend>
            <label className="inline">
              <input
                type="radio"
                name="visibility"
                checked={visibility === 'INTERNAL'}
                onChange={() => setVisibility('INTERNAL')}
              />{' '}
              {t('internalHelp')}
            </label>
            <label className="inline">
              <input
                type="radio"
                name="visibility"
                checked={visibility === 'INSTITUTION'}
                onChange={() => setVisibility('INSTITUTION')}
              />{' '}
              {t('publicHelp')}
            </label>
          </fieldset>
          <button type="submit">{t('addComment')}</button>
        </form>
      )}
    </section>
  );
}
