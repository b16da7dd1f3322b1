/**
 * Words of the object pages' record (change log, comments), the NOC's staff picker and the
 * desk's first agreement (web4), spread into i18n.tsx's two dictionaries: a key missing in
 * English is a type error there.
 */
export const recordFr = {
  recordLog: 'Historique des modifications',
  recordLogHelp: 'Chaque écriture : quand, quoi, sur quel objet, par qui.',
  noChanges: 'Aucune modification.',
  logWhen: 'Quand',
  logAction: 'Action',
  logObject: 'Objet',
  logActor: 'Par',
  publicComments: 'Commentaires de l’opérateur',
  assignTo: 'Attribuer à',
  chooseStaff: '— choisir —',
  firstAgreement: 'Première convention',
  firstAgreementHelp:
    'La version 1 est en brouillon : préparez-la pour la signature du représentant légal, puis validez-la une fois signée.',
  prepareForSignature: 'Préparer pour signature',
  charterSecurityContact: 'Contact sécurité de la charte',
  awaitingSignature: 'En attente de la signature du représentant légal.',
  activateAgreement: 'Valider et activer',
};

export const recordEn: typeof recordFr = {
  recordLog: 'Change log',
  recordLogHelp: 'Every write: when, what, on which object, by whom.',
  noChanges: 'No change.',
  logWhen: 'When',
  logAction: 'Action',
  logObject: 'Object',
  logActor: 'By',
  publicComments: 'The operator’s comments',
  assignTo: 'Assign to',
  chooseStaff: '— choose —',
  firstAgreement: 'First agreement',
  firstAgreementHelp:
    'Version 1 is a draft: prepare it for the head of institution’s signature, then validate it once signed.',
  prepareForSignature: 'Prepare for signature',
  charterSecurityContact: 'The charter’s security contact',
  awaitingSignature: 'Waiting for the head of institution’s signature.',
  activateAgreement: 'Validate and activate',
};
