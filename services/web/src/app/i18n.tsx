import { createContext, useContext } from 'react';
import { nocEn, nocFr } from './noc/i18n';

/**
 * French (the institutions) and English (the operator's international staff). One dictionary:
 * a missing key is a type error, so the two languages cannot drift apart.
 */
const fr = {
  appName: 'Guichet',
  language: 'Langue',
  signIn: 'Se connecter',
  signOut: 'Se déconnecter',
  signInTitle: 'Connexion au portail',
  tokenLabel: 'Jeton d’API',
  tokenHelp: 'Le jeton que le NOC ou votre institution vous a remis (gch_…).',
  signInFailed: 'Connexion refusée',
  navInstitution: 'Mon institution',
  navNoc: 'Console NOC',
  navMain: 'Navigation principale',
  loading: 'Chargement…',
  institution: 'Institution',
  sites: 'Sites',
  mainSite: 'principal',
  contacts: 'Contacts',
  roles: 'Rôles',
  agreement: 'Convention en vigueur',
  version: 'Version',
  services: 'Services',
  bandwidth: 'Débit (Mb/s)',
  prefixes: 'Préfixes',
  noPrefixes: 'Aucun préfixe.',
  morePrefixes:
    'Les 40 premiers préfixes : la liste complète est dans l’API et la CLI (guichet prefix list).',
  reverseZones: 'Zones inverses',
  requests: 'Demandes',
  noRequests: 'Aucune demande.',
  newPrefixRequest: 'Nouvelle demande de préfixe',
  family: 'Famille',
  length: 'Longueur du préfixe',
  purpose: 'Usage',
  justification: 'Justification',
  site: 'Site',
  noSite: '(aucun)',
  submit: 'Envoyer la demande',
  filed: 'Demande envoyée',
  readOnly: 'Accès en lecture seule : vous pouvez consulter, pas agir.',
  request: 'Demande',
  kind: 'Type',
  status: 'État',
  step: 'Étape',
  steps: 'Étapes',
  history: 'Historique',
  createdAt: 'Créée le',
  actor: 'Par',
  prefix: 'Préfixe',
  notFound: 'Introuvable, ou pas visible pour vous.',
  live: 'Mises à jour en direct',
  queue: 'File',
  tickets: 'Tickets',
  owner: 'Responsable',
  nobody: 'personne',
  state: 'État',
  responseDue: 'Réponse due',
  resolutionDue: 'Résolution due',
  breached: 'dépassé',
  warning: 'bientôt dû',
  take: 'Prendre',
  approve: 'Approuver l’étape',
  open: 'Ouvrir',
  actions: 'Actions',
  noTickets: 'Aucun ticket ouvert.',
  error: 'Erreur',
  me: 'moi',
  // NOC console and desk (web3)
  ...nocFr,
} as const;

type Dict = { [K in keyof typeof fr]: string };

const en: Dict = {
  appName: 'Guichet',
  language: 'Language',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signInTitle: 'Sign in to the portal',
  tokenLabel: 'API token',
  tokenHelp: 'The token the NOC or your institution gave you (gch_…).',
  signInFailed: 'Sign-in refused',
  navInstitution: 'My institution',
  navNoc: 'NOC console',
  navMain: 'Main navigation',
  loading: 'Loading…',
  institution: 'Institution',
  sites: 'Sites',
  mainSite: 'main',
  contacts: 'Contacts',
  roles: 'Roles',
  agreement: 'Agreement in force',
  version: 'Version',
  services: 'Services',
  bandwidth: 'Bandwidth (Mb/s)',
  prefixes: 'Prefixes',
  noPrefixes: 'No prefix.',
  morePrefixes: 'The first 40 prefixes: the whole list is in the API and the CLI (guichet prefix list).',
  reverseZones: 'Reverse zones',
  requests: 'Requests',
  noRequests: 'No request.',
  newPrefixRequest: 'New prefix request',
  family: 'Family',
  length: 'Prefix length',
  purpose: 'Purpose',
  justification: 'Justification',
  site: 'Site',
  noSite: '(none)',
  submit: 'Submit the request',
  filed: 'Request filed',
  readOnly: 'Read-only access: you can look, not act.',
  request: 'Request',
  kind: 'Kind',
  status: 'Status',
  step: 'Step',
  steps: 'Steps',
  history: 'History',
  createdAt: 'Created',
  actor: 'By',
  prefix: 'Prefix',
  notFound: 'Not found, or not visible to you.',
  live: 'Live updates',
  queue: 'Queue',
  tickets: 'Tickets',
  owner: 'Owner',
  nobody: 'nobody',
  state: 'State',
  responseDue: 'Response due',
  resolutionDue: 'Resolution due',
  breached: 'breached',
  warning: 'due soon',
  take: 'Take',
  approve: 'Approve step',
  open: 'Open',
  actions: 'Actions',
  noTickets: 'No open ticket.',
  error: 'Error',
  me: 'me',
  // NOC console and desk (web3)
  ...nocEn,
};

export const DICTIONARIES = { fr: fr as Dict, en } as const;
export type Lang = keyof typeof DICTIONARIES;
export type Key = keyof typeof fr;

export function initialLang(): Lang {
  const saved = localStorage.getItem('guichet.lang');
  if (saved === 'fr' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('en') ? 'en' : 'fr';
}

export const LangContext = createContext<Lang>('fr');
export function useT(): (key: Key) => string {
  const lang = useContext(LangContext);
  return (key) => DICTIONARIES[lang][key];
}
