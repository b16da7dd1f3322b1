// The agreement desk (web3): institutions, contacts, agreement versions and their activation.
export { DeskPage } from './home';
export { DeskInstitutionPage } from './institution';
