/**
 * The request kinds this package owns: the membership ones (an agreement change needs the
 * head's signature, a contact change the desk). Importing registers them and their mutations.
 */
import './graphql.js';

export { AGREEMENT_CHANGE, type AgreementChange, agreementChangeSchema } from './agreement-change.js';
export {
  CONTACT_CHANGE,
  CONTACT_CHANGE_ACTIONS,
  type ContactChange,
  type ContactChangeAction,
  contactChangeSchema,
} from './contact-change.js';
