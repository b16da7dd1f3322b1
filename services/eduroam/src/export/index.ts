import { readFileSync } from 'node:fs';
import { and, type DbOrTx, eq, inArray, ne, sql } from '@guichet/db';
import { agreementVersions, contacts, institutions, sites as membershipSites } from '@guichet/membership';
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { EduroamRuntime } from '../config.js';
import { profiles, realms, servers, sites } from '../tables.js';
import { type InstitutionFacts, institutionDocument, type RoFacts, roDocument, type View } from './build.js';

/**
 * The eduroam database export: gathers what the database holds for every institution with
 * eduroam open, builds institution.json and ro.json (build.ts), and validates them against the
 * v2 JSON schemas (schema/, written from reference/eduroam.md) before anything leaves: an export
 * that does not validate is a bug, never served.
 */

const schema = (name: string) =>
  JSON.parse(readFileSync(new URL(`./schema/${name}`, import.meta.url), 'utf8'));

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats.default(ajv);
ajv.addSchema(schema('common.schema.json'));
export const validateInstitutionJson = ajv.compile(schema('institution.schema.json'));
export const validateRoJson = ajv.compile(schema('ro.schema.json'));

/** `institutions.institution[2].info_URL[0].data: must match format "uri"`, as the central validator words paths. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const path = e.instancePath
      .split('/')
      .filter(Boolean)
      .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
      .join('')
      .replace(/^\./, '');
    return `${path || '(document)'}: ${e.message ?? 'invalid'}`;
  });
}

export class ExportInvalidError extends Error {
  override name = 'ExportInvalidError';
}

export function roFacts(rt: EduroamRuntime, updatedAt: Date): RoFacts {
  const c = rt.config;
  return {
    roId: c.EDUROAM_RO_ID,
    country: c.EDUROAM_COUNTRY,
    name: c.EDUROAM_RO_NAME,
    contact: {
      name: c.EDUROAM_RO_CONTACT_NAME,
      email: c.EDUROAM_RO_CONTACT_EMAIL,
      phone: c.EDUROAM_RO_CONTACT_PHONE,
      kind: 'service',
      public: true,
    },
    servers: c.EDUROAM_RO_SERVERS ?? [],
    infoUrl: c.EDUROAM_RO_URL,
    policyUrl: c.EDUROAM_RO_POLICY_URL,
    updatedAt,
  };
}

const latest = (...dates: (Date | null | undefined)[]) =>
  new Date(Math.max(0, ...dates.filter((d): d is Date => d instanceof Date).map((d) => d.getTime())));

/** The facts of every institution with eduroam open (or only `only`). */
export async function gatherFacts(db: DbOrTx, only?: string): Promise<InstitutionFacts[]> {
  const open = await db
    .select({
      id: institutions.id,
      name: institutions.name,
      eduroamContactId: agreementVersions.eduroamContactId,
      activatedAt: agreementVersions.activatedAt,
    })
    .from(agreementVersions)
    .innerJoin(institutions, eq(institutions.id, agreementVersions.institutionId))
    .where(
      and(
        eq(agreementVersions.status, 'active'),
        eq(institutions.status, 'active'),
        sql`'eduroam' = ANY(${agreementVersions.services})`,
        only ? eq(institutions.id, only) : undefined,
      ),
    );
  if (open.length === 0) return [];
  const ids = open.map((o) => o.id);
  const [profileRows, realmRows, serverRows, siteRows, mains, people] = await Promise.all([
    db.select().from(profiles).where(inArray(profiles.institutionId, ids)),
    db
      .select()
      .from(realms)
      .where(and(inArray(realms.institutionId, ids), eq(realms.state, 'active'))),
    db
      .select()
      .from(servers)
      .where(and(inArray(servers.institutionId, ids), ne(servers.state, 'removed'))),
    db
      .select()
      .from(sites)
      .where(and(inArray(sites.institutionId, ids), eq(sites.state, 'active'))),
    db
      .select()
      .from(membershipSites)
      .where(
        and(
          inArray(membershipSites.institutionId, ids),
          eq(membershipSites.main, true),
          sql`${membershipSites.removedAt} IS NULL`,
        ),
      ),
    db
      .select()
      .from(contacts)
      .where(
        inArray(
          contacts.id,
          open.map((o) => o.eduroamContactId).filter((x): x is string => Boolean(x)),
        ),
      ),
  ]);
  return open.map((o) => {
    const p = profileRows.find((r) => r.institutionId === o.id);
    const person = people.find((c) => c.id === o.eduroamContactId);
    const main = mains.find((m) => m.institutionId === o.id);
    const mySites = siteRows.filter((s) => s.institutionId === o.id);
    const myRealms = realmRows.filter((r) => r.institutionId === o.id);
    const myServers = serverRows.filter((s) => s.institutionId === o.id);
    return {
      id: o.id,
      name: o.name,
      names: p?.names ?? null,
      mainSite: main ? { address: main.address, city: main.city } : null,
      realms: myRealms.map((r) => r.realm),
      servers: myServers.map((s) => ({ name: s.name, transport: s.transport as 'udp' | 'tls' })),
      contact: person
        ? {
            name: person.name,
            email: person.email,
            phone: person.phone ?? '',
            kind: 'person',
            public: p?.contactPublic ?? false,
          }
        : null,
      venue: p?.venue ?? null,
      point: p?.lon != null && p?.lat != null ? { lon: p.lon, lat: p.lat } : null,
      infoUrls: p?.infoUrls ?? [],
      policyUrls: p?.policyUrls ?? [],
      production: p?.production ?? true,
      sites: mySites.map((s) => ({ ...s, contact: s.contact ?? null })),
      updatedAt: latest(
        o.activatedAt,
        p?.updatedAt,
        ...mySites.map((s) => s.updatedAt),
        ...myRealms.map((r) => r.provedAt),
        ...myServers.map((s) => s.createdAt),
      ),
    };
  });
}

export interface EduroamExport {
  institutionJson: ReturnType<typeof institutionDocument>;
  roJson: ReturnType<typeof roDocument>;
}

/** Both documents, validated; throws ExportInvalidError (with the schema's paths) otherwise. */
export async function exportEduroam(db: DbOrTx, rt: EduroamRuntime, view: View): Promise<EduroamExport> {
  const facts = await gatherFacts(db);
  const updated = latest(...facts.map((f) => f.updatedAt));
  const ro = roFacts(rt, updated);
  const institutionJson = institutionDocument(facts, ro, view);
  const roJson = roDocument(ro);
  if (!validateInstitutionJson(institutionJson)) {
    throw new ExportInvalidError(
      `institution.json does not validate: ${describeErrors(validateInstitutionJson.errors).join('; ')}`,
    );
  }
  if (!validateRoJson(roJson))
    throw new ExportInvalidError(
      `ro.json does not validate: ${describeErrors(validateRoJson.errors).join('; ')}`,
    );
  return { institutionJson, roJson };
}
