import { useState } from 'react';
import { gql } from '../graphql';
import { useT } from '../i18n';
import { AGREEMENT_CHANGE, fieldErrors, type Outcome } from './docs';

/**
 * A new member's first agreement: version 1 is drafted with the institution, before it has
 * contacts. The desk names the charter's security contact and files the agreement request on
 * that draft (`requestAgreementChange`: its draft step amends version 1); the head then signs
 * it on their request page, and the desk's **Validate and activate** makes it active.
 */
export function FirstAgreement(props: {
  institutionId: string;
  contacts: readonly { id: string; name: string; roles: readonly string[] }[];
  onDone: () => void;
}) {
  const t = useT();
  const security = props.contacts.filter((c) => c.roles.includes('SECURITY'));
  const [contactId, setContactId] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    // The head's signature is refused without one: said here, before anything is filed.
    if (!contactId) return setErrors({ securityContactId: t('required') });
    const r: Outcome = (
      await gql(AGREEMENT_CHANGE, {
        input: { institutionId: props.institutionId, securityContactId: contactId },
      })
    ).requestAgreementChange;
    setErrors(fieldErrors(r));
    setError(r.message && !r.issues?.length ? r.message : undefined);
    if (!r.message) props.onDone();
  };
  const fieldError = errors.securityContactId;
  return (
    <form onSubmit={submit} aria-labelledby="fa-title" noValidate data-testid="first-agreement">
      <h3 id="fa-title">{t('firstAgreement')}</h3>
      <p>
        <small id="fa-help">{t('firstAgreementHelp')}</small>
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <label htmlFor="fa-security">{t('charterSecurityContact')}</label>
      <select
        id="fa-security"
        value={contactId}
        onChange={(e) => setContactId(e.target.value)}
        aria-invalid={fieldError ? true : undefined}
        aria-describedby={fieldError ? 'fa-security-error' : 'fa-help'}
      >
        <option value="">{t('chooseStaff')}</option>
        {security.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
      {fieldError && (
        <span id="fa-security-error" role="alert" className="error">
          {fieldError}
        </span>
      )}
      <button type="submit">{t('prepareForSignature')}</button>
    </form>
  );
}
