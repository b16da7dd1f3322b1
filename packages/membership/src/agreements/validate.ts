import { NotFoundError, type RequestContext } from '@guichet/core';
import { and, type DbOrTx, eq, inArray, isNull, type Tx } from '@guichet/db';
import { type AgreementVersionRow, findById, type InstitutionRow, lockInstitution } from '../internal.js';
import { canReadInstitution } from '../rules.js';
import { agreementVersions, contactRoles, contacts, sites } from '../tables.js';
import { getAgreementVersion } from './queries.js';

/** Checks shared by drafting and activation, and the lock every agreement change takes first. */

export interface Issue {
  path: (string | number)[];
  message: string;
}

/** The security contact must be a present contact of this institution holding the `security` role. */
export async function checkSecurityContact(
  db: DbOrTx,
  institutionId: string,
  id: string | null,
): Promise<Issue[]> {
  if (id === null) return [];
  const [row] = await db
    .select({ id: contacts.id, role: contactRoles.role })
    .from(contacts)
    .leftJoin(contactRoles, and(eq(contactRoles.contactId, contacts.id), eq(contactRoles.role, 'security')))
    .where(and(eq(contacts.id, id), eq(contacts.institutionId, institutionId), isNull(contacts.removedAt)));
  const path = ['input', 'securityContactId'];
  if (!row) return [{ path, message: 'not a contact of this institution' }];
  if (!row.role) return [{ path, message: 'this contact does not hold the security role' }];
  return [];
}

/**
 * A version that opens eduroam names the eduroam charter's terms: a present contact of this
 * institution holding the `eduroam` role, and the eduroam policy version the head signs
 * (DOMAIN.md: activate the service, declare an eduroam contact, sign the eduroam charter).
 */
export async function checkEduroamTerms(
  db: DbOrTx,
  institutionId: string,
  v: { services: string[]; eduroamContactId: string | null; eduroamPolicy: string | null },
): Promise<Issue[]> {
  if (!v.services.includes('eduroam')) return [];
  const issues: Issue[] = [];
  if (!v.eduroamPolicy) {
    issues.push({
      path: ['input', 'eduroamPolicy'],
      message:
        'opening eduroam names the eduroam policy version whose charter the head signs (requestEduroamActivation fills it in)',
    });
  }
  const path = ['input', 'eduroamContactId'];
  if (!v.eduroamContactId) return [...issues, { path, message: 'opening eduroam names the eduroam contact' }];
  const [row] = await db
    .select({ id: contacts.id, role: contactRoles.role })
    .from(contacts)
    .leftJoin(contactRoles, and(eq(contactRoles.contactId, contacts.id), eq(contactRoles.role, 'eduroam')))
    .where(
      and(
        eq(contacts.id, v.eduroamContactId),
        eq(contacts.institutionId, institutionId),
        isNull(contacts.removedAt),
      ),
    );
  if (!row) issues.push({ path, message: 'not a contact of this institution' });
  else if (!row.role) {
    issues.push({
      path,
      message: 'this contact does not hold the eduroam role (the desk gives it: requestContactChange)',
    });
  }
  return issues;
}

/**
 * Every listed site must be a present secondary site of this institution. `given`: the caller
 * listed them (paths point at each entry); otherwise they came from the version copied.
 */
export async function checkSites(
  db: DbOrTx,
  institutionId: string,
  ids: string[],
  given: boolean,
): Promise<Issue[]> {
  if (ids.length === 0) return [];
  const found = await db
    .select({ id: sites.id, main: sites.main, name: sites.name })
    .from(sites)
    .where(and(inArray(sites.id, ids), eq(sites.institutionId, institutionId), isNull(sites.removedAt)));
  const byId = new Map(found.map((s) => [s.id, s]));
  const issues: Issue[] = [];
  ids.forEach((id, i) => {
    const site = byId.get(id);
    const path = given ? ['input', 'secondarySiteIds', i] : ['input', 'secondarySiteIds'];
    if (!site) issues.push({ path, message: `${id} is not a site of this institution (or it was removed)` });
    else if (site.main) issues.push({ path, message: `${site.name} is the main site, not a secondary site` });
  });
  return issues;
}

/** Reads a version the caller may see and locks its institution; unseen versions do not exist. */
export async function lockVersion(
  tx: Tx,
  ctx: RequestContext,
  versionId: string,
): Promise<{ institution: InstitutionRow; version: AgreementVersionRow }> {
  const seen = await getAgreementVersion(tx, versionId);
  if (!seen || !canReadInstitution(ctx.actor, seen.institutionId)) {
    throw new NotFoundError('AgreementVersion', versionId);
  }
  const institution = await lockInstitution(tx, seen.institutionId);
  // Read again under the lock: the status may have moved while we waited.
  const version = await findById(
    (id) => tx.select().from(agreementVersions).where(eq(agreementVersions.id, id)),
    'AgreementVersion',
    versionId,
  );
  return { institution, version };
}
