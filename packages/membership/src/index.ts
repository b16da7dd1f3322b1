// GraphQL: importing the package registers its types, queries and mutations on the builder.
import './institutions/graphql.js';
import './institutions/mutations.js';
import './contacts/graphql.js';
import './agreements/graphql.js';

export { amendDraftVersion, createDraftVersion, type DraftChanges } from './agreements/drafts.js';
export {
  currentAgreement,
  getAgreementVersion,
  isServiceOpen,
  listAgreementVersions,
  renderVersion,
} from './agreements/queries.js';
export { activateVersion, signVersion, withdrawVersion } from './agreements/service.js';
export {
  type ContactWithRoles,
  contactActor,
  contactByEppn,
  contactsWithRole,
  getContact,
  listContacts,
} from './contacts/queries.js';
export { assignRole, createContact, removeContact, removeRole, updateContact } from './contacts/service.js';
export {
  AgreementStatusEnum,
  AgreementVersionRef,
  ContactRef,
  ContactRoleEnum,
  InstitutionKindEnum,
  InstitutionRef,
  InstitutionStatusEnum,
  ServiceEnum,
  SiteRef,
} from './graphql/refs.js';
export type {
  CreateContactInput,
  CreateInstitutionInput,
  SiteInput,
  UpdateContactInput,
  UpdateInstitutionInput,
} from './inputs.js';
export {
  getInstitution,
  getSite,
  type InstitutionFilter,
  institutionById,
  institutionsOf,
  listInstitutions,
  listSites,
} from './institutions/queries.js';
export {
  type CreatedInstitution,
  closeInstitution,
  createInstitution,
  updateInstitution,
} from './institutions/service.js';
export type { AgreementVersionRow, ContactRow, InstitutionRow, SiteRow } from './internal.js';
export {
  AGREEMENT_STATUSES,
  type AgreementDocument,
  type AgreementStatus,
  EDUROAM_POLICY_DEFAULT,
  INSTITUTION_KINDS,
  INSTITUTION_STATUSES,
  type InstitutionKind,
  type InstitutionStatus,
  isValidSiren,
  isValidSiret,
  luhnComplete,
  renderAgreement,
  type Service,
  sha256Hex,
} from './model.js';
export * from './rules.js';
export { DEMO_INSTITUTIONS, seedDemoMembership } from './seed.js';
export { type AddSiteInput, addSite, removeSite } from './sites/service.js';
export * from './tables.js';
