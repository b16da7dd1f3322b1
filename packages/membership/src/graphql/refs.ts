import type { ContactRole } from '@guichet/core';
import { builder } from '@guichet/graphql';
import type { ContactWithRoles } from '../contacts/queries.js';
import type { AgreementVersionRow, InstitutionRow, SiteRow } from '../internal.js';
import type { AgreementStatus, InstitutionKind, InstitutionStatus, Service } from '../model.js';

/**
 * The membership types, declared here and implemented per entity, so that each file can name
 * the others without import cycles. Other packages extend `Institution` through `InstitutionRef`
 * (`builder.objectField(InstitutionRef, 'prefixes', …)`).
 */
export const InstitutionRef = builder.objectRef<InstitutionRow>('Institution');
export const SiteRef = builder.objectRef<SiteRow>('Site');
export const ContactRef = builder.objectRef<ContactWithRoles>('Contact');
export const AgreementVersionRef = builder.objectRef<AgreementVersionRow>('AgreementVersion');

export const InstitutionKindEnum = builder.enumType('InstitutionKind', {
  description: 'How an institution is governed; billing differs (e.g. .fr names).',
  values: {
    TUTELLE: { value: 'tutelle', description: 'Under a supervising ministry (sous tutelle).' },
    CONTRAT: { value: 'contrat', description: 'Under contract (sous contrat).' },
  } as const satisfies Record<string, { value: InstitutionKind; description: string }>,
});

export const InstitutionStatusEnum = builder.enumType('InstitutionStatus', {
  description: 'Whether the institution is a member.',
  values: {
    ACTIVE: { value: 'active', description: 'A member: its contacts log in, its active agreement applies.' },
    CLOSED: { value: 'closed', description: 'No longer a member: kept for history, nothing is open.' },
  } as const satisfies Record<string, { value: InstitutionStatus; description: string }>,
});

export const ContactRoleEnum = builder.enumType('ContactRole', {
  description: 'What a contact does for their institution (one contact may hold several roles).',
  values: {
    HEAD: {
      value: 'head',
      description: 'Head of institution (legal representative): signs the agreement and its changes.',
    },
    TECHNICAL: { value: 'technical', description: 'Technical contact: files and amends requests.' },
    SECURITY: {
      value: 'security',
      description: 'Security contact, declared in the good-use charter. Reads only.',
    },
    SERVICE: { value: 'service', description: 'Service contact. Reads only.' },
    ADMINISTRATIVE: { value: 'administrative', description: 'Administrative contact. Reads only.' },
    EDUROAM: { value: 'eduroam', description: 'eduroam contact. Reads only.' },
    FEDERATION: {
      value: 'federation',
      description: 'Identity-federation contact (at most two per institution). Reads only.',
    },
  } as const satisfies Record<string, { value: ContactRole; description: string }>,
});

export const ServiceEnum = builder.enumType('Service', {
  description: 'A service an agreement opens.',
  values: {
    EDUROAM: { value: 'eduroam', description: 'eduroam (secure Wi-Fi roaming).' },
    FEDERATION: { value: 'federation', description: 'The identity federation (SAML).' },
    ANTISPAM: { value: 'antispam', description: 'The shared antispam/antivirus mail filter.' },
    DOMAINS: { value: 'domains', description: '.fr and .prd.fr domain names.' },
    CIRCUITS: { value: 'circuits', description: 'Circuits (L2VPN, L3VPN, 10GE/lambda).' },
    IPAM: { value: 'ipam', description: 'IPv4 and IPv6 prefix assignments.' },
    RDNS: { value: 'rdns', description: 'Reverse-zone delegation.' },
    ROUTING: { value: 'routing', description: 'Routing changes (collector, announced prefixes).' },
  } as const satisfies Record<string, { value: Service; description: string }>,
});

export const AgreementStatusEnum = builder.enumType('AgreementStatus', {
  description: 'Where an agreement version stands.',
  values: {
    DRAFT: { value: 'draft', description: 'Prepared, waiting for the signature of the head of institution.' },
    SIGNED: { value: 'signed', description: 'Signed, waiting for validation by the agreement desk.' },
    ACTIVE: { value: 'active', description: 'In force: the version service lines consult.' },
    SUPERSEDED: { value: 'superseded', description: 'Was in force, replaced by a later version.' },
    WITHDRAWN: { value: 'withdrawn', description: 'Abandoned before it took effect.' },
  } as const satisfies Record<string, { value: AgreementStatus; description: string }>,
});
