import { useState } from 'react';
import { setCsrf } from './graphql';
import { useT } from './i18n';
import type { Session } from './session';

/** Sign-in with an API token: POST /session sets the HttpOnly cookie and returns the CSRF value. */
export function SignIn(props: { onSignedIn: (s: Session) => void }) {
  const t = useT();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const res = await fetch('/session', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    const body = (await res.json()) as { csrf?: string; kind?: string; error?: { message: string } };
    if (!res.ok || !body.csrf || !body.kind) {
      setError(body.error?.message ?? String(res.status));
      return;
    }
    setCsrf(body.csrf);
    setToken('');
    props.onSignedIn({ kind: body.kind.toUpperCase() });
  };
  return (
    <form onSubmit={submit} aria-labelledby="signin-title" className="card narrow">
      <h1 id="signin-title">{t('signInTitle')}</h1>
      <label htmlFor="token">{t('tokenLabel')}</label>
      <input
        id="token"
        type="password"
        autoComplete="off"
        required
        value={token}
        aria-describedby="token-help"
        aria-invalid={error ? true : undefined}
        onChange={(e) => setToken(e.target.value)}
      />
      <p id="token-help" className="help">
        {t('tokenHelp')}
      </p>
      {error && (
        <p role="alert" className="error">
          {t('signInFailed')}: {error}
        </p>
      )}
      <button type="submit">{t('signIn')}</button>
    </form>
  );
}
