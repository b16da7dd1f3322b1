import { StrictMode, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { DeskInstitutionPage, DeskPage } from './desk';
import { csrfHeader, setCsrf } from './graphql';
import { DICTIONARIES, initialLang, type Lang, LangContext, useT } from './i18n';
import { InstitutionPage } from './institution';
import { NocPage, TicketPage } from './noc';
import { RequestPage } from './request';
import type { Navigate, Session } from './session';
import { SignIn } from './signin';
import './styles.css';

function usePath(): [string, Navigate] {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => setPath(location.pathname);
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  const navigate = useCallback((to: string) => {
    history.pushState(null, '', to);
    setPath(to);
  }, []);
  return [path, navigate];
}

function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [session, setSession] = useState<Session | null>();
  const [path, navigate] = usePath();

  useEffect(() => {
    fetch('/session', { credentials: 'same-origin' }).then(
      async (res) => {
        if (!res.ok) return setSession(null);
        const body = (await res.json()) as { csrf: string; kind: string };
        setCsrf(body.csrf);
        setSession({ kind: body.kind });
      },
      () => setSession(null),
    );
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
    localStorage.setItem('guichet.lang', lang);
  }, [lang]);

  const signedIn = (s: Session) => {
    setSession(s);
    if (path === '/' || path === '/signin') navigate(s.kind === 'CONTACT' ? '/institution' : '/noc');
  };
  const signedOut = useCallback(() => setSession(null), []);

  return (
    <LangContext.Provider value={lang}>
      <Shell lang={lang} setLang={setLang} session={session} onSignedOut={signedOut} navigate={navigate}>
        {session === undefined ? null : session === null ? (
          <SignIn onSignedIn={signedIn} />
        ) : (
          <Routes path={path} session={session} navigate={navigate} onSignedOut={signedOut} />
        )}
      </Shell>
    </LangContext.Provider>
  );
}

function Routes(props: { path: string; session: Session; navigate: Navigate; onSignedOut: () => void }) {
  const { path, session, navigate, onSignedOut } = props;
  // NOC console and desk (web3)
  const ticket = /^\/noc\/tickets\/([^/?]+)$/.exec(path);
  if (ticket)
    return (
      <TicketPage id={decodeURIComponent(ticket[1] ?? '')} navigate={navigate} onSignedOut={onSignedOut} />
    );
  const deskInstitution = /^\/desk\/institutions\/([^/?]+)$/.exec(path);
  if (deskInstitution)
    return (
      <DeskInstitutionPage
        id={decodeURIComponent(deskInstitution[1] ?? '')}
        navigate={navigate}
        onSignedOut={onSignedOut}
      />
    );
  if (path === '/desk') return <DeskPage navigate={navigate} onSignedOut={onSignedOut} />;
  const request = /^\/requests\/([^/]+)$/.exec(path);
  if (request) return <RequestPage id={decodeURIComponent(request[1] ?? '')} onSignedOut={onSignedOut} />;
  if (path === '/noc' || (session.kind !== 'CONTACT' && path !== '/institution')) {
    return <NocPage navigate={navigate} onSignedOut={onSignedOut} />;
  }
  return <InstitutionPage navigate={navigate} onSignedOut={onSignedOut} />;
}

function Shell(props: {
  lang: Lang;
  setLang: (l: Lang) => void;
  session: Session | null | undefined;
  onSignedOut: () => void;
  navigate: Navigate;
  children: React.ReactNode;
}) {
  const t = useT();
  const { session, navigate } = props;
  const signOut = async () => {
    await fetch('/session', { method: 'DELETE', credentials: 'same-origin', headers: csrfHeader() });
    props.onSignedOut();
    navigate('/');
  };
  const link = (to: string, label: string) => (
    <a
      href={to}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {label}
    </a>
  );
  return (
    <>
      <header>
        <strong>{t('appName')}</strong>
        {session && (
          <nav aria-label={t('navMain')}>
            {session.kind === 'CONTACT' ? (
              link('/institution', t('navInstitution'))
            ) : (
              // NOC console and desk (web3)
              <>
                {link('/noc', t('navNoc'))} {link('/desk', t('navDesk'))}
              </>
            )}
          </nav>
        )}
        <label>
          {t('language')}{' '}
          <select value={props.lang} onChange={(e) => props.setLang(e.target.value as Lang)}>
            {Object.keys(DICTIONARIES).map((l) => (
              <option key={l} value={l}>
                {l === 'fr' ? 'Français' : 'English'}
              </option>
            ))}
          </select>
        </label>
        {session && (
          <button type="button" onClick={signOut}>
            {t('signOut')}
          </button>
        )}
      </header>
      <main>{props.children}</main>
    </>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
