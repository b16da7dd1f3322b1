import type { ContactRole, RequestContext } from '@guichet/core';
import { count, type Database, sql } from '@guichet/db';
import { amendDraftVersion } from './agreements/drafts.js';
import { renderVersion } from './agreements/queries.js';
import { activateVersion, signVersion } from './agreements/service.js';
import { contactActor } from './contacts/queries.js';
import { createContact } from './contacts/service.js';
import type { CreateInstitutionInput } from './inputs.js';
import { createInstitution } from './institutions/service.js';
import { EDUROAM_POLICY_DEFAULT, luhnComplete, type Service } from './model.js';
import { institutions } from './tables.js';

/**
 * Demo data for the embedded mode: four member institutions of both kinds, each with a main
 * site and secondary sites, a contact in every role (two federation contacts), and an ACTIVE
 * agreement signed by its head and validated by the desk — made through the use-cases, so the
 * change log shows how it came to be. SIRENs are made-up prefixes completed with Luhn.
 */

interface DemoInstitution {
  name: string;
  shortName: string;
  kind: 'tutelle' | 'contrat';
  sirenPrefix: string;
  collector: string;
  domain: string;
  mainSite: { name: string; address: string; city: string };
  secondarySites: { name: string; address: string; city: string }[];
  bandwidthMbps: number;
  services: Service[];
  /** head, technical, security, service, administrative, eduroam, federation, federation. */
  people: string[];
}

const ROLES: ContactRole[] = [
  'head',
  'technical',
  'security',
  'service',
  'administrative',
  'eduroam',
  'federation',
  'federation',
];

export const DEMO_INSTITUTIONS: DemoInstitution[] = [
  {
    name: 'Université de Lyon-Example',
    shortName: 'UDL-EX',
    kind: 'tutelle',
    sirenPrefix: '19691774',
    collector: 'Collecte Auvergne-Rhône-Alpes',
    domain: 'univ-lyon-example.fr',
    mainSite: {
      name: 'Campus de la Doua',
      address: '43 boulevard du 11 Novembre 1918',
      city: 'Villeurbanne',
    },
    secondarySites: [
      { name: 'Campus Porte des Alpes', address: '5 avenue Pierre Mendès France', city: 'Bron' },
      { name: 'Site Rockefeller', address: '8 avenue Rockefeller', city: 'Lyon' },
    ],
    bandwidthMbps: 10_000,
    services: ['eduroam', 'federation', 'ipam', 'rdns', 'routing', 'domains'],
    people: [
      'Claire Martin',
      'Julien Bernard',
      'Sophie Petit',
      'Nicolas Durand',
      'Isabelle Leroy',
      'Thomas Moreau',
      'Camille Simon',
      'Antoine Laurent',
    ],
  },
  {
    name: 'Institut de Recherche Example',
    shortName: 'IRE',
    kind: 'contrat',
    sirenPrefix: '78435126',
    collector: 'Collecte Île-de-France',
    domain: 'ire-example.fr',
    mainSite: { name: 'Siège', address: '12 rue de l’Exemple', city: 'Paris' },
    secondarySites: [{ name: 'Laboratoire de Saclay', address: 'Plateau de Saclay', city: 'Gif-sur-Yvette' }],
    bandwidthMbps: 1_000,
    services: ['federation', 'ipam', 'antispam', 'circuits'],
    people: [
      'Hélène Lefebvre',
      'Maxime Michel',
      'Nathalie Garcia',
      'Pierre David',
      'Valérie Bertrand',
      'Romain Roux',
      'Émilie Vincent',
      'Lucas Fournier',
    ],
  },
  {
    name: 'École Nationale Supérieure Example',
    shortName: 'ENS-EX',
    kind: 'tutelle',
    sirenPrefix: '19310045',
    collector: 'Collecte Occitanie',
    domain: 'ens-example.fr',
    mainSite: { name: 'Campus de Rangueil', address: '118 route de Narbonne', city: 'Toulouse' },
    secondarySites: [
      { name: 'Antenne de Montpellier', address: '2 place Eugène Bataillon', city: 'Montpellier' },
      { name: 'Observatoire du Pic', address: 'Route de l’Observatoire', city: 'Bagnères-de-Bigorre' },
    ],
    bandwidthMbps: 2_000,
    services: ['eduroam', 'ipam', 'rdns', 'domains'],
    people: [
      'François Morel',
      'Aurélie Girard',
      'Sébastien André',
      'Mathilde Mercier',
      'Olivier Dupont',
      'Julie Lambert',
      'Guillaume Bonnet',
      'Laura François',
    ],
  },
  {
    name: 'Fondation Example pour la Science',
    shortName: 'FES',
    kind: 'contrat',
    sirenPrefix: '41852370',
    collector: 'Collecte Bretagne',
    domain: 'fes-example.fr',
    mainSite: { name: 'Site de Beaulieu', address: '263 avenue du Général Leclerc', city: 'Rennes' },
    secondarySites: [{ name: 'Station marine', address: 'Place Georges Teissier', city: 'Roscoff' }],
    bandwidthMbps: 500,
    services: ['eduroam', 'antispam', 'routing', 'ipam'],
    people: [
      'Catherine Legrand',
      'Vincent Garnier',
      'Céline Faure',
      'Alexandre Rousseau',
      'Sandrine Blanc',
      'Hugo Guerin',
      'Manon Muller',
      'Benoît Henry',
    ],
  },
];

const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-');

// Serialises two processes seeding the same database at once; the second then finds the rows.
const SEED_LOCK = 0x6775_6964;

/**
 * Creates the demo institutions unless institutions exist already (then does nothing). One
 * transaction: a failure leaves nothing half-made. `ctx` is the desk (or system) acting.
 */
export async function seedDemoMembership(
  database: Database,
  ctx: RequestContext,
): Promise<{ seeded: boolean; institutions: number }> {
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${SEED_LOCK})`);
    const [existing] = await tx.select({ n: count() }).from(institutions);
    if (Number(existing?.n ?? 0) > 0) return { seeded: false, institutions: 0 };
    for (const [i, d] of DEMO_INSTITUTIONS.entries()) {
      const siren = luhnComplete(d.sirenPrefix);
      const input: CreateInstitutionInput = {
        name: d.name,
        shortName: d.shortName,
        kind: d.kind,
        siren,
        siret: luhnComplete(`${siren}0001`),
        collector: d.collector,
        mainSite: d.mainSite,
        secondarySites: d.secondarySites,
        agreement: {
          conventionRef: 'CONV-2024-GEN',
          charterRef: 'CHARTE-2024',
          bandwidthMbps: d.bandwidthMbps,
          services: d.services,
        },
      };
      const { institution, agreementVersion } = await createInstitution(tx, ctx, input);
      const ids: Partial<Record<ContactRole, string>> = {};
      for (const [j, person] of d.people.entries()) {
        const [first = '', ...rest] = person.split(' ');
        const local = `${ascii(first)}.${ascii(rest.join(' '))}`;
        const role = ROLES[j] ?? 'service';
        const c = await createContact(tx, ctx, {
          institutionId: institution.id,
          name: person,
          email: `${local}@${d.domain}`,
          phone: `+33 1 99 00 ${i}${j} ${10 + i * 10 + j}`,
          eppn: `${local}@${d.domain}`,
          roles: [role],
        });
        ids[role] ??= c.id;
      }
      const draft = await amendDraftVersion(tx, ctx, agreementVersion.id, {
        securityContactId: ids.security,
        ...(d.services.includes('eduroam')
          ? { eduroamContactId: ids.eduroam, eduroamPolicy: EDUROAM_POLICY_DEFAULT }
          : {}),
      });
      // The head of institution signs as themselves, as they would through the signature step.
      const head = ids.head && (await contactActor(tx, ids.head, { method: 'system', scope: 'write' }));
      if (!head) throw new Error(`demo: ${d.name} has no head of institution`);
      const { hash } = await renderVersion(tx, draft.id);
      await signVersion(tx, { ...ctx, actor: head }, draft.id, { documentHash: hash });
      await activateVersion(tx, ctx, draft.id);
    }
    return { seeded: true, institutions: DEMO_INSTITUTIONS.length };
  });
}
