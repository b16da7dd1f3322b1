import { useState } from 'react';
import { gql, graphql } from './graphql';
import { useT } from './i18n';

const SIGN = graphql(`
  mutation SignRequest($input: SignRequestInput!) {
    signRequest(input: $input) {
      __typename
      ... on SignRequestPayload { request { id currentStep } }
      ... on Error { code message }
    }
  }
`);

/**
 * The head's signature screen: the document exactly as the API rendered it, its hash, and a
 * signature that sends back that very hash — so what is signed is what was on screen (a
 * document changed since it was loaded is a typed conflict, shown here, not a silent sign).
 */
export function SignaturePanel(props: {
  requestId: string;
  document: { text: string; hash: string };
  /** The viewer is the institution's head with a write credential: only then a button. */
  canSign: boolean;
  onSigned: () => void;
}) {
  const t = useT();
  const [read, setRead] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const sign = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { signRequest: r } = await gql(SIGN, {
        input: { requestId: props.requestId, documentHash: props.document.hash },
      });
      if (r.__typename === 'SignRequestPayload') props.onSigned();
      else if ('message' in r) setError(`${r.code}: ${r.message}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="sig-h" className="card">
      <h2 id="sig-h">{t('documentToSign')}</h2>
      <pre className="document" data-testid="document-text">
        {props.document.text}
      </pre>
      <p>
        {t('documentHash')}
        <br />
        <code data-testid="document-hash">{props.document.hash}</code>
      </p>
      {props.canSign ? (
        <form onSubmit={sign}>
          <div className="field inline">
            <input id="sig-read" type="checkbox" checked={read} onChange={(e) => setRead(e.target.checked)} />
            <label htmlFor="sig-read">{t('documentRead')}</label>
          </div>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" disabled={!read || busy}>
            {t('sign')}
          </button>
        </form>
      ) : (
        <p className="notice" role="note">
          {t('headSigns')}
        </p>
      )}
    </section>
  );
}
