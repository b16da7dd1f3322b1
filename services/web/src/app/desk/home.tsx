import { useState } from 'react';
import { gql } from '../graphql';
import { useT } from '../i18n';
import type { Navigate } from '../session';
import { useQuery } from '../use-query';
import { CREATE_INSTITUTION, DESK_HOME, fieldErrors, type Outcome } from './docs';
import { Choices, Field, SERVICES } from './field';

type Service = (typeof SERVICES)[number];

/** The agreement desk: institutions (search, open) and the form that registers a new one. */
export function DeskPage(props: { navigate: Navigate; onSignedOut: () => void }) {
  const t = useT();
  const [search, setSearch] = useState('');
  const q = useQuery(DESK_HOME, { search: search || null }, search, props.onSignedOut);
  if (q.error) return <p role="alert">{q.error}</p>;
  if (!q.data) return <p>{t('loading')}</p>;
  const { viewer } = q.data;
  const canAct = viewer.scope === 'WRITE' && viewer.staffRoles.some((r) => r === 'DESK' || r === 'ADMIN');
  return (
    <>
      <h1>{t('deskTitle')}</h1>
      <div className="field">
        <label htmlFor="desk-search">{t('deskSearch')}</label>
        <input id="desk-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <table aria-label={t('deskInstitutions')}>
        <thead>
          <tr>
            <th scope="col">{t('institution')}</th>
            <th scope="col">{t('deskShortName')}</th>
            <th scope="col">{t('status')}</th>
            <th scope="col">{t('agreement')}</th>
          </tr>
        </thead>
        <tbody>
          {q.data.institutions.edges.map(({ node: i }) => (
            <tr key={i.id} data-institution={i.id}>
              <td>
                <a
                  href={`/desk/institutions/${i.id}`}
                  onClick={(e) => {
                    e.preventDefault();
                    props.navigate(`/desk/institutions/${i.id}`);
                  }}
                >
                  {i.name}
                </a>
              </td>
              <td>{i.shortName}</td>
              <td>{i.status}</td>
              <td>{i.agreement ? `v${i.agreement.version}` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {canAct && (
        <NewInstitution
          collectors={q.data.collectors.map((c) => c.name)}
          onCreated={(id) => props.navigate(`/desk/institutions/${id}`)}
        />
      )}
    </>
  );
}

function NewInstitution(props: { collectors: string[]; onCreated: (id: string) => void }) {
  const t = useT();
  const [v, setV] = useState({
    name: '',
    shortName: '',
    kind: 'TUTELLE' as 'TUTELLE' | 'CONTRAT',
    siren: '',
    siret: '',
    collector: props.collectors[0] ?? '',
    siteName: '',
    siteAddress: '',
    siteCity: '',
    conventionRef: '',
    charterRef: '',
    bandwidthMbps: '1000',
  });
  const [services, setServices] = useState<Service[]>(['IPAM']);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const set = (k: keyof typeof v) => (value: string) => setV({ ...v, [k]: value });
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const r: Outcome & { institution?: { id: string } } = (
      await gql(CREATE_INSTITUTION, {
        input: {
          name: v.name,
          shortName: v.shortName,
          kind: v.kind,
          siren: v.siren,
          ...(v.siret ? { siret: v.siret } : {}),
          collector: v.collector,
          mainSite: { name: v.siteName, address: v.siteAddress, city: v.siteCity },
          agreement: {
            conventionRef: v.conventionRef,
            charterRef: v.charterRef,
            bandwidthMbps: Number(v.bandwidthMbps),
            services,
          },
        },
      })
    ).createInstitution;
    setErrors(fieldErrors(r));
    if (r.institution) return props.onCreated(r.institution.id);
    if (!r.issues?.length) setError(r.message);
  };
  const f = (k: keyof typeof v, label: string, path: string, type?: string) => (
    <Field id={`ni-${k}`} label={label} value={v[k]} onChange={set(k)} error={errors[path]} type={type} />
  );
  return (
    <form className="card" aria-labelledby="ni-title" onSubmit={submit} noValidate>
      <h2 id="ni-title">{t('deskNewInstitution')}</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="grid">
        <div>
          {f('name', t('deskName'), 'name')}
          {f('shortName', t('deskShortName'), 'shortName')}
          <div className="field">
            <label htmlFor="ni-kind">{t('kind')}</label>
            <select id="ni-kind" value={v.kind} onChange={(e) => set('kind')(e.target.value)}>
              <option value="TUTELLE">{t('deskTutelle')}</option>
              <option value="CONTRAT">{t('deskContrat')}</option>
            </select>
          </div>
          {f('siren', 'SIREN', 'siren')}
          {f('siret', 'SIRET', 'siret')}
          <div className="field">
            <label htmlFor="ni-collector">{t('deskCollector')}</label>
            <select id="ni-collector" value={v.collector} onChange={(e) => set('collector')(e.target.value)}>
              {props.collectors.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div>
          {f('siteName', t('deskSiteName'), 'mainSite.name')}
          {f('siteAddress', t('deskSiteAddress'), 'mainSite.address')}
          {f('siteCity', t('deskSiteCity'), 'mainSite.city')}
          {f('conventionRef', t('deskConventionRef'), 'agreement.conventionRef')}
          {f('charterRef', t('deskCharterRef'), 'agreement.charterRef')}
          {f('bandwidthMbps', t('bandwidth'), 'agreement.bandwidthMbps', 'number')}
          <Choices legend={t('services')} values={SERVICES} chosen={services} onChange={setServices} />
        </div>
      </div>
      <button type="submit">{t('deskCreate')}</button>
    </form>
  );
}
