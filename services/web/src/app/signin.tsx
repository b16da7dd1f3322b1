import { useEffect, useState } from 'react';
import { setCsrf } from './graphql';
import { useT } from './i18n';
import type { Session } from './session';

/** Sign-in with an API token: POST /session sets the HttpOnly cookie and returns the CSRF value. */
export function SignIn(props: { onSignedIn: (s: Session) => void }) {
  const t = useT();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const post = async (payload: Record<string, unknown>, setErr: (m?: string) => void) => {
    setErr(undefined);
    const res = await fetch('/session', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const body = (await res.json()) as { csrf?: string; kind?: string; error?: { message: string } };
    if (!res.ok || !body.csrf || !body.kind) {
      setErr(body.error?.message ?? String(res.status));
      return false;
    }
    setCsrf(body.csrf);
    props.onSignedIn({ kind: body.kind.toUpperCase() });
    return true;
  };
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (await post({ token }, setError)) setToken('');
  };
  return (
    <>
      <FederationSignIn post={post} />
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
      <StaffSignIn post={post} />
    </>
  );
}

type Post = (payload: Record<string, unknown>, setErr: (m?: string) => void) => Promise<boolean>;

/** Staff: the operator directory's username and password (the `login` mutation's LDAP check). */
function StaffSignIn(props: { post: Post }) {
  const t = useT();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const ok = await props.post({ username, password }, setError);
    // The password never outlives the attempt in the page.
    setPassword('');
    if (ok) setUsername('');
  };
  return (
    <form onSubmit={submit} aria-labelledby="staff-title" className="card narrow">
      <h2 id="staff-title">{t('staffSignIn')}</h2>
      <label htmlFor="staff-user">{t('username')}</label>
      <input
        id="staff-user"
        autoComplete="username"
        required
        value={username}
        onChange={(e) => setUsername(e.target.value)}
      />
      <label htmlFor="staff-password">{t('password')}</label>
      <input
        id="staff-password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        aria-invalid={error ? true : undefined}
        onChange={(e) => setPassword(e.target.value)}
      />
      {error && (
        <p role="alert" className="error">
          {t('signInFailed')}: {error}
        </p>
      )}
      <button type="submit">{t('signInStaff')}</button>
    </form>
  );
}

/**
 * Behind the SAML proxy (GET /session says `federation: true` when the trusted proxy sent an
 * identity): one button turns that identity into the portal's session.
 */
function FederationSignIn(props: { post: Post }) {
  const t = useT();
  const [offered, setOffered] = useState(false);
  const [error, setError] = useState<string>();
  useEffect(() => {
    fetch('/session', { credentials: 'same-origin' }).then(
      async (res) =>
        setOffered(
          res.status === 401 && ((await res.json()) as { federation?: boolean }).federation === true,
        ),
      () => setOffered(false),
    );
  }, []);
  if (!offered) return null;
  return (
    <section aria-labelledby="fed-title" className="card narrow">
      <h2 id="fed-title">{t('federationTitle')}</h2>
      {error && (
        <p role="alert" className="error">
          {t('signInFailed')}: {error}
        </p>
      )}
      <button type="button" onClick={() => props.post({ federation: true }, setError)}>
        {t('signInFederation')}
      </button>
    </section>
  );
}
