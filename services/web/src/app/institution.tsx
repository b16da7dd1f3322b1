import { graphql } from './graphql';
import { useT } from './i18n';
import { useRequestEvents } from './live';
import { NewRequest } from './new-request';
import { ChangeLog } from './record';
import type { Navigate } from './session';
import { useQuery } from './use-query';

const MY_INSTITUTION = graphql(`
  query MyInstitution {
    viewer { id kind name scope }
    institutions(first: 1) {
      edges {
        node {
          id
          name
          shortName
          sites { id name city main }
          contacts { id name email roles }
          agreement { version status services bandwidthMbps }
          prefixes(first: 40) { pageInfo { hasNextPage } edges { node { id prefix family lifecycle purpose reverseZones } } }
        }
      }
    }
  }
`);

// Its own query: beside the page's, its cost would pass the API's limit (5,000).
const INSTITUTION_LOG = graphql(`
  query InstitutionLog($id: ID!) {
    institution(id: $id) {
      id
      changes(first: 20) { edges { node { id at actor action objectType objectId } } }
    }
  }
`);

const INSTITUTION_REQUESTS = graphql(`
  query InstitutionRequests($institutionId: ID!) {
    requests(institutionId: $institutionId, first: 20) {
      edges { node { id kind title status currentStep createdAt } }
    }
  }
`);

/**
 * The contact's home: their institution, its prefixes, the new-request form, their requests
 * and the institution's change log.
 */
export function InstitutionPage(props: { navigate: Navigate; onSignedOut: () => void }) {
  const t = useT();
  const mine = useQuery(MY_INSTITUTION, {}, 'me', props.onSignedOut);
  const inst = mine.data?.institutions.edges[0]?.node;
  const reqs = useQuery(
    INSTITUTION_REQUESTS,
    { institutionId: inst?.id ?? '' },
    inst?.id ?? '',
    props.onSignedOut,
  );
  const log = useQuery(INSTITUTION_LOG, { id: inst?.id ?? '' }, inst?.id ?? '', props.onSignedOut);
  // Any event of the institution's requests refreshes the list, the prefixes and the log.
  useRequestEvents(undefined, () => {
    reqs.reload();
    mine.reload();
    log.reload();
  });
  if (mine.error) return <p role="alert">{mine.error}</p>;
  if (!mine.data) return <p>{t('loading')}</p>;
  if (!inst) return <p>{t('notFound')}</p>;
  const viewer = mine.data.viewer;
  const me = inst.contacts.find((c) => c.id === viewer.id);
  // The first 40 prefixes: the query's cost limit (5,000) counts 100 as too many beside the
  // rest of the page; paging them is for a later slice of the portal.
  const prefixes = inst.prefixes.edges.map((e) => e.node);
  const canFile = viewer.scope === 'WRITE' && (me?.roles.includes('TECHNICAL') ?? false);
  return (
    <>
      <h1>
        {t('institution')} — {inst.name} ({inst.shortName})
      </h1>
      {!canFile && (
        <p className="notice" role="note">
          {t('readOnly')}
        </p>
      )}
      <div className="grid">
        <section aria-labelledby="sites-h" className="card">
          <h2 id="sites-h">{t('sites')}</h2>
          <ul>
            {inst.sites.map((s) => (
              <li key={s.id}>
                {s.name}, {s.city} {s.main && <em>({t('mainSite')})</em>}
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="contacts-h" className="card">
          <h2 id="contacts-h">{t('contacts')}</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('contacts')}</th>
                <th scope="col">{t('roles')}</th>
              </tr>
            </thead>
            <tbody>
              {inst.contacts.map((c) => (
                <tr key={c.id}>
                  <td>
                    {c.name} &lt;{c.email}&gt;
                  </td>
                  <td>{c.roles.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section aria-labelledby="agreement-h" className="card">
          <h2 id="agreement-h">{t('agreement')}</h2>
          {inst.agreement ? (
            <dl>
              <dt>{t('version')}</dt>
              <dd>{inst.agreement.version}</dd>
              <dt>{t('services')}</dt>
              <dd>{inst.agreement.services.join(', ')}</dd>
              <dt>{t('bandwidth')}</dt>
              <dd>{inst.agreement.bandwidthMbps}</dd>
            </dl>
          ) : (
            <p>—</p>
          )}
        </section>
      </div>
      <section aria-labelledby="prefixes-h" className="card">
        <h2 id="prefixes-h">{t('prefixes')}</h2>
        {prefixes.length === 0 ? (
          <p>{t('noPrefixes')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('prefix')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col">{t('purpose')}</th>
                <th scope="col">{t('reverseZones')}</th>
              </tr>
            </thead>
            <tbody>
              {prefixes.map((p) => (
                <tr key={p.id}>
                  <td>
                    <code>{p.prefix}</code>
                  </td>
                  <td>{p.lifecycle}</td>
                  <td>{p.purpose}</td>
                  <td>{p.reverseZones.join(' ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {inst.prefixes.pageInfo.hasNextPage && <p>{t('morePrefixes')}</p>}
      </section>
      {canFile && (
        <NewRequest
          institutionId={inst.id}
          sites={inst.sites}
          contacts={inst.contacts}
          onFiled={(id) => props.navigate(`/requests/${id}`)}
          onSignedOut={props.onSignedOut}
        />
      )}
      <section aria-labelledby="requests-h" className="card">
        <h2 id="requests-h">{t('requests')}</h2>
        <RequestList rows={reqs.data?.requests.edges.map((e) => e.node) ?? []} navigate={props.navigate} />
      </section>
      <ChangeLog
        rows={log.data?.institution?.changes?.edges.map((e) => e.node) ?? []}
        testId="institution-log"
      />
    </>
  );
}

function RequestList(props: {
  rows: {
    id: string;
    kind: string;
    title: string;
    status: string;
    currentStep: string | null;
    createdAt: string;
  }[];
  navigate: Navigate;
}) {
  const t = useT();
  if (props.rows.length === 0) return <p>{t('noRequests')}</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{t('request')}</th>
          <th scope="col">{t('kind')}</th>
          <th scope="col">{t('status')}</th>
          <th scope="col">{t('step')}</th>
          <th scope="col">{t('createdAt')}</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.id} data-request={r.id}>
            <td>
              <a
                href={`/requests/${r.id}`}
                onClick={(e) => {
                  e.preventDefault();
                  props.navigate(`/requests/${r.id}`);
                }}
              >
                {r.title}
              </a>
            </td>
            <td>{r.kind}</td>
            <td>{r.status}</td>
            <td>{r.currentStep ?? '—'}</td>
            <td>{new Date(r.createdAt).toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
