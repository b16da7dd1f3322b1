/** A labelled input with its field error beside it (aria-invalid, aria-describedby). */
export function Field(props: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | undefined;
  type?: string;
}) {
  const errorId = `${props.id}-error`;
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={props.type ?? 'text'}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? errorId : undefined}
      />
      {props.error && (
        <span id={errorId} className="error">
          {props.error}
        </span>
      )}
    </div>
  );
}

/** Checkboxes for a set of enum values, in a fieldset with its legend. */
export function Choices<V extends string>(props: {
  legend: string;
  values: readonly V[];
  chosen: readonly V[];
  onChange: (v: V[]) => void;
}) {
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {props.values.map((v) => (
        <label key={v} className="inline">
          <input
            type="checkbox"
            checked={props.chosen.includes(v)}
            onChange={(e) =>
              props.onChange(e.target.checked ? [...props.chosen, v] : props.chosen.filter((x) => x !== v))
            }
          />{' '}
          {v}
        </label>
      ))}
    </fieldset>
  );
}

export const SERVICES = [
  'IPAM',
  'RDNS',
  'ROUTING',
  'DOMAINS',
  'CIRCUITS',
  'ANTISPAM',
  'EDUROAM',
  'FEDERATION',
] as const;
export const ROLES = [
  'HEAD',
  'TECHNICAL',
  'ADMINISTRATIVE',
  'SECURITY',
  'SERVICE',
  'EDUROAM',
  'FEDERATION',
] as const;
