import { useState } from 'react';
import { gql } from '../graphql';
import { useT } from '../i18n';
import { useRequestEvents } from '../live';
import type { Navigate } from '../session';
import { useQuery } from '../use-query';
import {
  AGREEMENT_CHANGE,
  CREATE_CONTACT,
  DESK_INSTITUTION,
  fieldErrors,
  type Outcome,
  VALIDATE,
} from './docs';
import { Choices, Field, ROLES, SERVICES } from './field';
import { FirstAgreement } from './first-agreement';

type Role = (typeof ROLES)[number];
type Service = (typeof SERVICES)[number];

/**
 * One institution at the desk: its sites, contacts (register one), agreement versions, and the
 * agreement changes — ask for one, and validate a signed one (which activates the version).
 */
export function DeskInstitutionPage(props: { id: string; navigate: Navigate; onSignedOut: () => void }) {
  const t = useT();
  const q = useQuery(DESK_INSTITUTION, { id: props.id }, props.id, props.onSignedOut);
  const [error, setError] = useState<string>();
  // A signature by the head, an activation by a colleague: the versions and requests change.
  useRequestEvents(undefined, () => q.reload());
  if (q.error) return <p role="alert">{q.error}</p>;
  if (!q.data) return <p>{t('loading')}</p>;
  const { viewer, institution: inst } = q.data;
  if (!inst)
    return (
      <p role="alert" className="error">
        {t('notFound')}
      </p>
    );
  const canAct = viewer.scope === 'WRITE' && viewer.staffRoles.some((r) => r === 'DESK' || r === 'ADMIN');
  const changes = q.data.requests.edges.map((e) => e.node);
  // A new member: nothing active yet, version 1 still a draft, no agreement request under way.
  const firstPending =
    !inst.agreementVersions.some((v) => v.status === 'ACTIVE') &&
    inst.agreementVersions.some((v) => v.status === 'DRAFT') &&
    !changes.some((r) => r.status === 'IN_PROGRESS');
  const validate = async (requestId: string, step: string) => {
    setError(undefined);
    const r: Outcome = (await gql(VALIDATE, { requestId, step })).approveRequestStep;
    if (r.message) setError(r.message);
    q.reload();
  };
  return (
    <>
      <h1>
        {t('deskTitle')} — {inst.name}
      </h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <dl className="card">
        <dt>{t('deskShortName')}</dt>
        <dd>{inst.shortName}</dd>
        <dt>SIREN</dt>
        <dd>{inst.siren}</dd>
        <dt>{t('status')}</dt>
        <dd>{inst.status}</dd>
        <dt>{t('deskCollector')}</dt>
        <dd>{inst.collector}</dd>
        <dt>{t('sites')}</dt>
        <dd>
          {inst.sites.map((s) => `${s.name} (${s.city})${s.main ? ` — ${t('mainSite')}` : ''}`).join(', ')}
        </dd>
      </dl>
      <section className="card" aria-labelledby="versions-title">
        <h2 id="versions-title">{t('deskVersions')}</h2>
        <table aria-labelledby="versions-title">
          <thead>
            <tr>
              <th scope="col">{t('version')}</th>
              <th scope="col">{t('status')}</th>
              <th scope="col">{t('bandwidth')}</th>
              <th scope="col">{t('services')}</th>
              <th scope="col">{t('deskSigned')}</th>
              <th scope="col">{t('deskActivated')}</th>
            </tr>
          </thead>
          <tbody>
            {inst.agreementVersions.map((a) => (
              <tr key={a.id} data-version={a.version} data-status={a.status}>
                <td>v{a.version}</td>
                <td>{a.status}</td>
                <td>{a.bandwidthMbps}</td>
                <td>{a.services.join(', ')}</td>
                <td>{a.signedAt ? `${a.signedByName}, ${new Date(a.signedAt).toLocaleString()}` : '—'}</td>
                <td>{a.activatedAt ? new Date(a.activatedAt).toLocaleString() : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>{t('deskChanges')}</h3>
        <ul>
          {changes.map((r) => (
            <li key={r.id} data-request={r.id}>
              <a
                href={`/requests/${r.id}`}
                onClick={(e) => {
                  e.preventDefault();
                  props.navigate(`/requests/${r.id}`);
                }}
              >
                {r.agreementVersion ? `v${r.agreementVersion.version}` : r.id.slice(0, 8)}
              </a>{' '}
              — {r.status}
              {r.currentStep && ` « ${r.currentStep} »`}
              {canAct && r.pendingActor === 'DESK' && r.currentStep && (
                <>
                  {' '}
                  <button type="button" onClick={() => validate(r.id, r.currentStep ?? '')}>
                    {t('deskValidate')}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
        {canAct && firstPending && (
          <FirstAgreement institutionId={inst.id} contacts={inst.contacts} onDone={() => q.reload()} />
        )}
        {canAct && !firstPending && <AgreementChange institutionId={inst.id} onDone={() => q.reload()} />}
      </section>
      <section className="card" aria-labelledby="contacts-title">
        <h2 id="contacts-title">{t('contacts')}</h2>
        <ul>
          {inst.contacts.map((c) => (
            <li key={c.id} data-contact={c.id}>
              {c.name} &lt;{c.email}&gt; — {c.roles.join(', ')}
            </li>
          ))}
        </ul>
        {canAct && <NewContact institutionId={inst.id} onDone={() => q.reload()} />}
      </section>
    </>
  );
}

function NewContact(props: { institutionId: string; onDone: () => void }) {
  const t = useT();
  const [v, setV] = useState({ name: '', email: '', phone: '', eppn: '' });
  const [roles, setRoles] = useState<Role[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const set = (k: keyof typeof v) => (value: string) => setV({ ...v, [k]: value });
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const r: Outcome = (
      await gql(CREATE_CONTACT, {
        input: {
          institutionId: props.institutionId,
          name: v.name,
          email: v.email,
          ...(v.phone ? { phone: v.phone } : {}),
          ...(v.eppn ? { eppn: v.eppn } : {}),
          roles,
        },
      })
    ).createContact;
    setErrors(fieldErrors(r));
    setError(r.message && !r.issues?.length ? r.message : undefined);
    if (!r.message) {
      setV({ name: '', email: '', phone: '', eppn: '' });
      setRoles([]);
      props.onDone();
    }
  };
  return (
    <form onSubmit={submit} aria-labelledby="nc-title" noValidate>
      <h3 id="nc-title">{t('deskNewContact')}</h3>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <Field id="nc-name" label={t('deskName')} value={v.name} onChange={set('name')} error={errors.name} />
      <Field
        id="nc-email"
        label={t('deskEmail')}
        value={v.email}
        onChange={set('email')}
        error={errors.email}
        type="email"
      />
      <Field
        id="nc-phone"
        label={t('deskPhone')}
        value={v.phone}
        onChange={set('phone')}
        error={errors.phone}
      />
      <Field
        id="nc-eppn"
        label="eduPersonPrincipalName"
        value={v.eppn}
        onChange={set('eppn')}
        error={errors.eppn}
      />
      <Choices legend={t('roles')} values={ROLES} chosen={roles} onChange={setRoles} />
      <button type="submit">{t('deskAddContact')}</button>
    </form>
  );
}

function AgreementChange(props: { institutionId: string; onDone: () => void }) {
  const t = useT();
  const [bandwidth, setBandwidth] = useState('');
  const [activate, setActivate] = useState<Service[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const r: Outcome = (
      await gql(AGREEMENT_CHANGE, {
        input: {
          institutionId: props.institutionId,
          ...(bandwidth ? { bandwidthMbps: Number(bandwidth) } : {}),
          ...(activate.length ? { activateServices: activate } : {}),
        },
      })
    ).requestAgreementChange;
    setErrors(fieldErrors(r));
    setError(r.message && !r.issues?.length ? r.message : undefined);
    if (!r.message) {
      setBandwidth('');
      setActivate([]);
      props.onDone();
    }
  };
  return (
    <form onSubmit={submit} aria-labelledby="ac-title" noValidate>
      <h3 id="ac-title">{t('deskAgreementChange')}</h3>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <Field
        id="ac-bandwidth"
        label={t('deskNewBandwidth')}
        value={bandwidth}
        onChange={setBandwidth}
        error={errors.bandwidthMbps}
        type="number"
      />
      <Choices
        legend={t('deskActivateServices')}
        values={SERVICES}
        chosen={activate}
        onChange={setActivate}
      />
      <button type="submit">{t('deskRequestChange')}</button>
    </form>
  );
}
