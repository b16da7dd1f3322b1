import { useEffect, useState } from 'react';
import { gql, type ResultOf } from '../graphql';
import { useT } from '../i18n';
import { NOC_STAFF } from './docs';

type Member = ResultOf<typeof NOC_STAFF>['staffMembers'][number];

// One read per page load: the staff list changes with directory logins, not while one works.
let cached: Promise<Member[]> | undefined;
const staffList = () => {
  cached ??= gql(NOC_STAFF, {}).then(
    (d) => d.staffMembers,
    (e: unknown) => {
      cached = undefined;
      throw e;
    },
  );
  return cached;
};

/**
 * The assignee picker: a labelled native select (keyboard and screen readers for free) of the
 * staff accounts holding the NOC role, by name; its value is the staff id `assignTicket` takes.
 */
export function StaffSelect(props: {
  id: string;
  value: string;
  onChange: (staffId: string) => void;
  errorId?: string;
}) {
  const t = useT();
  const [members, setMembers] = useState<Member[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    staffList().then(
      (m) => live && setMembers(m),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, []);
  return (
    <>
      <label htmlFor={props.id}>{t('assignTo')}</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.errorId ? true : undefined}
        aria-describedby={props.errorId}
      >
        <option value="">{t('chooseStaff')}</option>
        {members.map((m) => (
          <option key={m.id} value={m.id}>
            {m.displayName} ({m.username})
          </option>
        ))}
      </select>
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </>
  );
}
