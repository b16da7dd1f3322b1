import { useState } from 'react';
import { gql, graphql } from './graphql';
import { type Key, useT } from './i18n';

const REQUEST_PREFIX = graphql(`
  mutation RequestPrefix($input: RequestPrefixInput!) {
    requestPrefix(input: $input) {
      __typename
      ... on RequestPrefixPayload { request { id status } }
      ... on ValidationError { message issues { path message } }
      ... on Error { code message }
    }
  }
`);

type Field = 'family' | 'length' | 'purpose' | 'justification' | 'siteId';
const FIELDS: Field[] = ['family', 'length', 'purpose', 'justification', 'siteId'];
const LABEL: Record<Field, Key> = {
  family: 'family',
  length: 'length',
  purpose: 'purpose',
  justification: 'justification',
  siteId: 'site',
};

/**
 * The prefix request form. The browser checks nothing the API does not: the API's typed
 * ValidationError carries field paths, and each issue is shown beside its field (other typed
 * errors above the button), so the form and a script get the same answer.
 */
export function PrefixRequestForm(props: {
  institutionId: string;
  sites: readonly { id: string; name: string }[];
  onFiled: (requestId: string) => void;
}) {
  const t = useT();
  const [family, setFamily] = useState<'IPV6' | 'IPV4'>('IPV6');
  const [length, setLength] = useState('48');
  const [purpose, setPurpose] = useState('');
  const [justification, setJustification] = useState('');
  const [siteId, setSiteId] = useState(props.sites[0]?.id ?? '');
  const [issues, setIssues] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setIssues({});
    setFormError(undefined);
    try {
      const { requestPrefix: r } = await gql(REQUEST_PREFIX, {
        input: {
          institutionId: props.institutionId,
          family,
          // Not a number: the API says so, beside the field, like any other bad value.
          length: /^\d+$/.test(length.trim()) ? Number(length) : -1,
          purpose,
          ...(justification ? { justification } : {}),
          ...(siteId ? { siteId } : {}),
          submit: true,
        },
      });
      if (r.__typename === 'RequestPrefixPayload') return props.onFiled(r.request.id);
      if (r.__typename === 'ValidationError') {
        const found: Partial<Record<Field, string>> = {};
        const rest: string[] = [];
        for (const i of r.issues) {
          // Paths are the mutation's: ['input', 'length'].
          const f = FIELDS.find((x) => x === (i.path[0] === 'input' ? i.path[1] : i.path[0]));
          if (f) found[f] = found[f] ? `${found[f]}; ${i.message}` : i.message;
          else rest.push(i.message);
        }
        setIssues(found);
        if (rest.length || !Object.keys(found).length) setFormError(rest.join('; ') || r.message);
      } else if ('message' in r) setFormError(`${r.code}: ${r.message}`);
    } catch (err) {
      setFormError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const field = (name: Field, control: React.ReactElement) => (
    <div className="field">
      <label htmlFor={`pf-${name}`}>{t(LABEL[name])}</label>
      {control}
      {issues[name] && (
        <p id={`pf-${name}-error`} className="error" role="alert">
          {issues[name]}
        </p>
      )}
    </div>
  );
  const aria = (name: Field) => ({
    id: `pf-${name}`,
    'aria-invalid': issues[name] ? true : undefined,
    'aria-describedby': issues[name] ? `pf-${name}-error` : undefined,
  });

  return (
    <form onSubmit={submit} className="card" aria-labelledby="pf-title" noValidate>
      <h2 id="pf-title">{t('newPrefixRequest')}</h2>
      {field(
        'family',
        <select {...aria('family')} value={family} onChange={(e) => setFamily(e.target.value as 'IPV6')}>
          <option value="IPV6">IPv6</option>
          <option value="IPV4">IPv4</option>
        </select>,
      )}
      {field(
        'length',
        <input
          {...aria('length')}
          inputMode="numeric"
          value={length}
          onChange={(e) => setLength(e.target.value)}
        />,
      )}
      {field(
        'purpose',
        <input {...aria('purpose')} value={purpose} onChange={(e) => setPurpose(e.target.value)} />,
      )}
      {field(
        'justification',
        <textarea
          {...aria('justification')}
          value={justification}
          onChange={(e) => setJustification(e.target.value)}
        />,
      )}
      {field(
        'siteId',
        <select {...aria('siteId')} value={siteId} onChange={(e) => setSiteId(e.target.value)}>
          <option value="">{t('noSite')}</option>
          {props.sites.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>,
      )}
      {formError && (
        <p className="error" role="alert">
          {formError}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {t('submit')}
      </button>
    </form>
  );
}
