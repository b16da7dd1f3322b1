import { sha256Hex } from '@guichet/membership';
import { formatPrice, type Pricing } from './model.js';
import type { DsJson, HolderJson, NameServerJson } from './tables.js';

/**
 * The letter of commitment and its technical annex (DOMAIN.md, "Domain names"): what the head
 * of institution signs for a name. Pure and canonical — the same request renders the same
 * bytes, so the SHA-256 a signature names can be checked again at any time.
 */

export interface LetterInput {
  requestId: string;
  institution: { name: string; siren: string; kind: 'tutelle' | 'contrat' };
  uName: string;
  aName: string;
  holder: HolderJson;
  admin: { name: string; email: string };
  techs: { name: string; email: string }[];
  nameservers: NameServerJson[];
  ds: DsJson[];
  periodYears: number;
  price: { pricing: Pricing; cents: number };
  /** Set when AFNIC flagged the name as a reserved term (prior review). */
  priorReview?: string;
}

const PRICING_TEXT: Record<Pricing, string> = {
  tutelle: 'included (institution under a supervising ministry)',
  'first-free': 'free (the first name of an institution under contract)',
  contrat: 'per name, institution under contract',
};

export function renderLetter(l: LetterInput): { text: string; hash: string } {
  const name = l.uName === l.aName ? l.aName : `${l.uName} (${l.aName})`;
  const registry = l.aName.endsWith('.prd.fr')
    ? 'published by the operator in its own zone .prd.fr'
    : 'registered by the operator with AFNIC, the .fr registry, as its registrar';
  const lines = [
    'LETTER OF COMMITMENT — DOMAIN NAME',
    '',
    `Request: ${l.requestId}`,
    `Institution: ${l.institution.name} (SIREN ${l.institution.siren})`,
    `Domain name: ${name}, ${registry}`,
    `Holder: ${l.holder.name}${l.holder.siren ? `, SIREN/SIRET ${l.holder.siren}` : ''}${l.holder.vat ? `, VAT ${l.holder.vat}` : ''}${l.holder.waldec ? `, Waldec ${l.holder.waldec}` : ''}, ${l.holder.city} (${l.holder.country})`,
    `Period: ${l.periodYears} year${l.periodYears > 1 ? 's' : ''}`,
    `Price: ${formatPrice(l.price.cents)} — ${PRICING_TEXT[l.price.pricing]}`,
    ...(l.priorReview
      ? [`Prior review: AFNIC reserves this term (${l.priorReview}); registration follows its authorisation.`]
      : []),
    '',
    'The institution, through its legal representative, undertakes:',
    '1. to comply with the AFNIC naming charter and the operator’s conditions of use;',
    '2. that the holder is entitled to the name and that the information above is accurate;',
    '3. to keep the contacts below current and to answer the registry’s verifications;',
    '4. to run the name servers of the technical annex, or have them run, for as long as the name is held.',
    '',
    'TECHNICAL ANNEX',
    `Administrative contact: ${l.admin.name} <${l.admin.email}>`,
    ...l.techs.map((t, i) => `Technical contact ${i + 1}: ${t.name} <${t.email}>`),
    'Name servers:',
    ...l.nameservers.map((n) => `  ${n.name}${n.addresses.length ? ` ${n.addresses.join(' ')}` : ''}`),
    ...(l.ds.length
      ? ['DS records:', ...l.ds.map((d) => `  ${d.keyTag} ${d.algorithm} ${d.digestType} ${d.digest}`)]
      : ['DS records: none (the zone is not signed)']),
    '',
  ];
  const text = lines.join('\n');
  return { text, hash: sha256Hex(text) };
}
