import type { TadaDocumentNode } from 'gql.tada';
import { useState } from 'react';
import { graphql } from './graphql';
import { type Key, useT } from './i18n';
import { PrefixRequestForm } from './prefix-form';
import { type FieldSpec, type Outcome, RequestForm, type Values } from './request-form';
import { type FormKind, requestForms } from './request-forms';
import { useQuery } from './use-query';

const FORM_CONTEXT = graphql(`
  query NewRequestContext($id: ID!) {
    institution(id: $id) { id reverseZones { zone } }
    collectors { id name }
  }
`);

interface Spec<R, V> {
  title: Key;
  fields: readonly FieldSpec[];
  doc: TadaDocumentNode<R, V>;
  variables: (v: Values) => V;
  outcome: (d: R) => Outcome;
}

function FormOf<R, V>(props: { id: string; spec: Spec<R, V>; onDone: (o: Outcome) => void }) {
  return <RequestForm id={props.id} {...props.spec} onDone={props.onDone} />;
}

const KINDS: readonly { value: 'prefix' | FormKind; label: Key }[] = [
  { value: 'prefix', label: 'kindPrefix' },
  { value: 'rdns', label: 'kindRdns' },
  { value: 'routing', label: 'kindRouting' },
  { value: 'domain', label: 'kindDomain' },
  { value: 'eduroamSite', label: 'kindEduroamSite' },
  { value: 'antispam', label: 'kindAntispam' },
  { value: 'circuit', label: 'kindCircuit' },
  { value: 'agreement', label: 'kindAgreement' },
];

/**
 * "New request", as the operator's old web forms had it: one form per kind, chosen here. A
 * filed request opens its page; a declaration that is not a request (an eduroam site) says so.
 */
export function NewRequest(props: {
  institutionId: string;
  sites: readonly { id: string; name: string }[];
  contacts: readonly { id: string; name: string }[];
  onFiled: (requestId: string) => void;
  onSignedOut: () => void;
}) {
  const t = useT();
  const [kind, setKind] = useState<'prefix' | FormKind>('prefix');
  const [done, setDone] = useState<string>();
  const ctx = useQuery(FORM_CONTEXT, { id: props.institutionId }, props.institutionId, props.onSignedOut);
  const forms = requestForms({
    institutionId: props.institutionId,
    sites: props.sites,
    contacts: props.contacts,
    zones: ctx.data?.institution?.reverseZones.map((z) => z.zone) ?? [],
    collectors: ctx.data?.collectors ?? [],
  });
  const onDone = (o: Outcome) => {
    if (o.request) props.onFiled(o.request.id);
    else setDone(t('declared'));
  };
  // Keyed by kind: a new choice starts a clean form. The forms wait for their context (zones,
  // collectors): keyed by its arrival, a form remounted under the user's typing and lost it.
  const key = kind;
  const ready = kind === 'prefix' || ctx.data !== undefined;
  const id = `nr-${kind}`;
  return (
    <section aria-labelledby="nr-h">
      <h2 id="nr-h">{t('newRequest')}</h2>
      <div className="field">
        <label htmlFor="nr-kind">{t('requestKind')}</label>
        <select
          id="nr-kind"
          value={kind}
          onChange={(e) => {
            setKind(e.target.value as FormKind);
            setDone(undefined);
          }}
        >
          {KINDS.map((k) => (
            <option key={k.value} value={k.value}>
              {t(k.label)}
            </option>
          ))}
        </select>
      </div>
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}
      {!ready && <p>{t('loading')}</p>}
      {kind === 'prefix' && (
        <PrefixRequestForm institutionId={props.institutionId} sites={props.sites} onFiled={props.onFiled} />
      )}
      {ready && kind === 'rdns' && <FormOf key={key} id={id} spec={forms.rdns} onDone={onDone} />}
      {ready && kind === 'routing' && <FormOf key={key} id={id} spec={forms.routing} onDone={onDone} />}
      {ready && kind === 'domain' && <FormOf key={key} id={id} spec={forms.domain} onDone={onDone} />}
      {ready && kind === 'eduroamSite' && (
        <FormOf key={key} id={id} spec={forms.eduroamSite} onDone={onDone} />
      )}
      {ready && kind === 'antispam' && <FormOf key={key} id={id} spec={forms.antispam} onDone={onDone} />}
      {ready && kind === 'circuit' && <FormOf key={key} id={id} spec={forms.circuit} onDone={onDone} />}
      {ready && kind === 'agreement' && <FormOf key={key} id={id} spec={forms.agreement} onDone={onDone} />}
    </section>
  );
}
