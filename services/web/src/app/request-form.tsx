import type { TadaDocumentNode } from 'gql.tada';
import { useState } from 'react';
import { gql } from './graphql';
import { type Key, useT } from './i18n';

/** What the user typed: text per field, booleans for checkboxes, lists for multiple choices. */
export type Values = Record<string, string | boolean | string[]>;

export interface FieldSpec {
  /**
   * The input field, as the API's issue paths name it after `input` (`zone`, or
   * `directory.bindPassword` for a nested one): an issue goes beside the field whose name its
   * path starts with.
   */
  name: string;
  label: Key;
  kind?: 'text' | 'number' | 'password' | 'textarea' | 'select' | 'checkbox' | 'multi';
  options?: readonly { value: string; label: string }[];
  initial?: string | boolean | string[];
  help?: Key;
}

/** Every request mutation answers a payload or one of the typed errors: what the form reads of it. */
export interface Outcome {
  __typename: string;
  request?: { id: string };
  issues?: readonly { path: readonly string[]; message: string }[];
  code?: string;
  message?: string;
  rule?: string;
}

/** A number field holding no number: the variables cannot carry it, so the form says so itself. */
export class NotANumber extends Error {
  constructor(readonly field: string) {
    super(field);
  }
}
export const num = (v: Values, name: string): number | undefined => {
  const s = String(v[name] ?? '').trim();
  if (s === '') return undefined;
  if (!/^-?\d+(\.\d+)?$/.test(s)) throw new NotANumber(name);
  return Number(s);
};
export const str = (v: Values, name: string): string => String(v[name] ?? '').trim();
export const opt = (v: Values, name: string): string | undefined => str(v, name) || undefined;
export const lines = (v: Values, name: string): string[] =>
  str(v, name)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
export const list = (v: Values, name: string): string[] => (Array.isArray(v[name]) ? v[name] : []);

/** Where an issue goes: the field its path starts with (after `input`), or the form itself. */
export function fieldOf(fields: readonly FieldSpec[], path: readonly string[]): string | undefined {
  const rest = path[0] === 'input' ? path.slice(1) : path;
  const joined = rest.join('.');
  let best: string | undefined;
  for (const f of fields) {
    if ((joined === f.name || joined.startsWith(`${f.name}.`)) && f.name.length > (best?.length ?? -1)) {
      best = f.name;
    }
  }
  return best;
}

/**
 * One form for any request mutation: the fields are declared, the variables built from what
 * was typed, and the answer read through `outcome`. The browser checks nothing the API does
 * not (but that a number is a number, which the variables' types need): each issue of the
 * typed ValidationError is shown beside its field, every other typed error above the button.
 */
export function RequestForm<R, V>(props: {
  id: string;
  title: Key;
  fields: readonly FieldSpec[];
  doc: TadaDocumentNode<R, V>;
  variables: (v: Values) => V;
  outcome: (data: R) => Outcome;
  onDone: (o: Outcome) => void;
  submitLabel?: Key;
}) {
  const t = useT();
  const [values, setValues] = useState<Values>(() =>
    Object.fromEntries(
      props.fields.map((f) => [
        f.name,
        f.initial ?? (f.kind === 'checkbox' ? false : f.kind === 'multi' ? [] : ''),
      ]),
    ),
  );
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (name: string, value: Values[string]) => setValues((v) => ({ ...v, [name]: value }));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setIssues({});
    setFormError(undefined);
    let variables: V;
    try {
      variables = props.variables(values);
    } catch (err) {
      if (err instanceof NotANumber) return setIssues({ [err.field]: t('notANumber') });
      throw err;
    }
    setBusy(true);
    try {
      const o = props.outcome(await gql(props.doc, variables));
      if (o.issues) {
        const found: Record<string, string> = {};
        const rest: string[] = [];
        for (const i of o.issues) {
          const f = fieldOf(props.fields, i.path);
          if (f) found[f] = found[f] ? `${found[f]}; ${i.message}` : i.message;
          else rest.push(i.message);
        }
        setIssues(found);
        if (rest.length || !Object.keys(found).length) setFormError(rest.join('; ') || o.message);
      } else if (o.code) {
        setFormError(`${o.code}${o.rule ? ` (${o.rule})` : ''}: ${o.message ?? ''}`);
      } else props.onDone(o);
    } catch (err) {
      setFormError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const idOf = (name: string) => `${props.id}-${name.replace(/\W/g, '-')}`;
  const control = (f: FieldSpec) => {
    const id = idOf(f.name);
    const describedBy = [issues[f.name] && `${id}-error`, f.help && `${id}-help`].filter(Boolean).join(' ');
    const common = {
      id,
      'aria-invalid': issues[f.name] ? true : undefined,
      'aria-describedby': describedBy || undefined,
    };
    const text = String(values[f.name] ?? '');
    switch (f.kind) {
      case 'textarea':
        return <textarea {...common} value={text} onChange={(e) => set(f.name, e.target.value)} />;
      case 'select':
        return (
          <select {...common} value={text} onChange={(e) => set(f.name, e.target.value)}>
            {f.options?.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        );
      case 'checkbox':
        return (
          <input
            {...common}
            type="checkbox"
            checked={values[f.name] === true}
            onChange={(e) => set(f.name, e.target.checked)}
          />
        );
      case 'password':
        // Write-only: never filled from anything, never offered to the browser's autofill.
        return (
          <input
            {...common}
            type="password"
            autoComplete="new-password"
            value={text}
            onChange={(e) => set(f.name, e.target.value)}
          />
        );
      default:
        return (
          <input
            {...common}
            inputMode={f.kind === 'number' ? 'decimal' : undefined}
            value={text}
            onChange={(e) => set(f.name, e.target.value)}
          />
        );
    }
  };

  const field = (f: FieldSpec) => {
    const id = idOf(f.name);
    const after = (
      <>
        {f.help && (
          <p id={`${id}-help`} className="help">
            {t(f.help)}
          </p>
        )}
        {issues[f.name] && (
          <p id={`${id}-error`} className="error" role="alert">
            {issues[f.name]}
          </p>
        )}
      </>
    );
    if (f.kind === 'multi') {
      const chosen = list(values, f.name);
      return (
        <fieldset
          key={f.name}
          className="group"
          id={id}
          aria-invalid={issues[f.name] ? true : undefined}
          aria-describedby={issues[f.name] ? `${id}-error` : undefined}
        >
          <legend>{t(f.label)}</legend>
          {f.options?.map((o) => (
            <div className="field inline" key={o.value}>
              <input
                id={`${id}-${o.value}`}
                type="checkbox"
                checked={chosen.includes(o.value)}
                onChange={(e) =>
                  set(f.name, e.target.checked ? [...chosen, o.value] : chosen.filter((x) => x !== o.value))
                }
              />
              <label htmlFor={`${id}-${o.value}`}>{o.label}</label>
            </div>
          ))}
          {after}
        </fieldset>
      );
    }
    return (
      <div className={f.kind === 'checkbox' ? 'field inline' : 'field'} key={f.name}>
        <label htmlFor={id}>{t(f.label)}</label>
        {control(f)}
        {after}
      </div>
    );
  };

  return (
    <form onSubmit={submit} className="card" aria-labelledby={`${props.id}-title`} noValidate>
      <h2 id={`${props.id}-title`}>{t(props.title)}</h2>
      {props.fields.map(field)}
      {formError && (
        <p className="error" role="alert" id={`${props.id}-form-error`}>
          {formError}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {t(props.submitLabel ?? 'submit')}
      </button>
    </form>
  );
}
