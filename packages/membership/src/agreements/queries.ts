import { isUuid } from '@guichet/core';
import { and, asc, type DbOrTx, desc, eq, inArray, sql } from '@guichet/db';
import { groupByKey } from '@guichet/graphql';
import type { AgreementVersionRow } from '../internal.js';
import { findById, one } from '../internal.js';
import { type AgreementDocument, renderAndHash, type Service } from '../model.js';
import { agreementVersions, contacts, institutions, sites } from '../tables.js';

/**
 * Reading agreements. Service lines consult only the ACTIVE version: a draft or a signed but
 * not yet validated version opens nothing.
 */

/** The version in force for an institution, if any. */
export async function currentAgreement(
  db: DbOrTx,
  institutionId: string,
): Promise<AgreementVersionRow | undefined> {
  return (await currentAgreementsOf(db, [institutionId]))[0];
}

/** The versions in force of several institutions in one statement (undefined where none). */
export async function currentAgreementsOf(
  db: DbOrTx,
  institutionIds: readonly string[],
): Promise<(AgreementVersionRow | undefined)[]> {
  const ids = institutionIds.filter(isUuid);
  const rows = ids.length
    ? await db
        .select()
        .from(agreementVersions)
        .where(and(inArray(agreementVersions.institutionId, ids), eq(agreementVersions.status, 'active')))
    : [];
  return groupByKey(institutionIds, rows, (r) => r.institutionId).map((g) => g[0]);
}

/** Whether the active agreement of an open institution names the service. */
export async function isServiceOpen(db: DbOrTx, institutionId: string, service: Service): Promise<boolean> {
  if (!isUuid(institutionId)) return false;
  const [row] = await db
    .select({ one: sql<number>`1` })
    .from(agreementVersions)
    .innerJoin(institutions, eq(institutions.id, agreementVersions.institutionId))
    .where(
      and(
        eq(agreementVersions.institutionId, institutionId),
        eq(agreementVersions.status, 'active'),
        eq(institutions.status, 'active'),
        sql`${service} = ANY(${agreementVersions.services})`,
      ),
    );
  return row !== undefined;
}

/** Every version of an institution's agreement, newest first. */
export async function listAgreementVersions(
  db: DbOrTx,
  institutionId: string,
): Promise<AgreementVersionRow[]> {
  return (await agreementVersionsOf(db, [institutionId]))[0] ?? [];
}

/** Every version of several institutions' agreements, newest first each, in one statement. */
export async function agreementVersionsOf(
  db: DbOrTx,
  institutionIds: readonly string[],
): Promise<AgreementVersionRow[][]> {
  const ids = institutionIds.filter(isUuid);
  const rows = ids.length
    ? await db
        .select()
        .from(agreementVersions)
        .where(inArray(agreementVersions.institutionId, ids))
        .orderBy(desc(agreementVersions.version))
    : [];
  return groupByKey(institutionIds, rows, (r) => r.institutionId);
}

export async function getAgreementVersion(db: DbOrTx, id: string): Promise<AgreementVersionRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(agreementVersions).where(eq(agreementVersions.id, id));
  return row;
}

/** The facts a version's document states, read from the institution, its contacts and sites. */
export async function agreementDocument(db: DbOrTx, v: AgreementVersionRow): Promise<AgreementDocument> {
  const inst = one(await db.select().from(institutions).where(eq(institutions.id, v.institutionId)));
  const [security] = v.securityContactId
    ? await db.select().from(contacts).where(eq(contacts.id, v.securityContactId))
    : [];
  const [eduroamContact] = v.eduroamContactId
    ? await db.select().from(contacts).where(eq(contacts.id, v.eduroamContactId))
    : [];
  const siteRows = v.secondarySiteIds.length
    ? await db.select().from(sites).where(inArray(sites.id, v.secondarySiteIds)).orderBy(asc(sites.name))
    : [];
  return {
    institution: { name: inst.name, siren: inst.siren },
    version: v.version,
    conventionRef: v.conventionRef,
    charterRef: v.charterRef,
    securityContact: security ? { name: security.name, email: security.email } : null,
    bandwidthMbps: v.bandwidthMbps,
    secondarySites: siteRows.map((s) => ({ name: s.name, address: s.address, city: s.city })),
    services: v.services,
    eduroam: v.services.includes('eduroam')
      ? {
          policy: v.eduroamPolicy,
          contact: eduroamContact ? { name: eduroamContact.name, email: eduroamContact.email } : null,
        }
      : null,
  };
}

/**
 * A version's document and its SHA-256. A signed version gives the text as signed; a draft is
 * rendered from the current facts, so what the head of institution reads is what they sign.
 */
export async function renderVersion(
  db: DbOrTx,
  versionOrId: string | AgreementVersionRow,
): Promise<{ text: string; hash: string }> {
  const v =
    typeof versionOrId === 'string'
      ? await findById(
          (id) => db.select().from(agreementVersions).where(eq(agreementVersions.id, id)),
          'AgreementVersion',
          versionOrId,
        )
      : versionOrId;
  if (v.signedDocument && v.documentHash) return { text: v.signedDocument, hash: v.documentHash };
  return renderAndHash(await agreementDocument(db, v));
}
