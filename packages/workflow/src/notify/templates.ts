import type { ContactRole } from '@guichet/core';
import type { RequestEvent } from '../events.js';
import { getKind } from '../kinds.js';

/**
 * Who is told what, and the words. Pure: the listener and the sender do the I/O.
 * Institutions are French and their staff are not all French-speaking: every email carries
 * both languages, French first.
 */

export const TEMPLATES = [
  'received',
  'action_needed',
  'signature_needed',
  'returned',
  'completed',
  'rejected',
] as const;
export type Template = (typeof TEMPLATES)[number];

export interface Audience {
  template: Template;
  /** The contact who filed the request. */
  requester: boolean;
  /** Active contacts of the request's institution holding one of these roles. */
  roles: ContactRole[];
}

/** The notification matrix (README, "Notifications"). Null: nobody is told. */
export function audienceFor(event: RequestEvent): Audience | null {
  const base = baseAudience(event);
  const extra = getKind(event.request.kind)?.alsoNotify ?? [];
  if (!base || extra.length === 0 || !base.roles.includes('technical')) return base;
  return { ...base, roles: [...new Set([...base.roles, ...extra])] };
}

function baseAudience(event: RequestEvent): Audience | null {
  switch (event.type) {
    case 'submitted':
      // Guichet itself opened it (a zone turned lame): there is no requester to reassure, but
      // technical contacts who must act.
      return event.request.requester.startsWith('system:')
        ? { template: 'action_needed', requester: false, roles: ['technical'] }
        : { template: 'received', requester: true, roles: ['technical'] };
    case 'step_started':
      // Only the head of institution signs: the others would only be told to wait.
      return event.step?.actor === 'head'
        ? { template: 'signature_needed', requester: false, roles: ['head'] }
        : null;
    case 'returned':
      return { template: 'returned', requester: true, roles: ['technical'] };
    case 'completed':
      return { template: 'completed', requester: true, roles: ['technical'] };
    case 'rejected':
      return { template: 'rejected', requester: true, roles: ['technical'] };
    default:
      return null;
  }
}

const WORDS: Record<Template, { fr: string; en: string; frLine: string; enLine: string }> = {
  received: {
    fr: 'Demande reçue',
    en: 'Request received',
    frLine: "Votre demande a bien été reçue ; l'opérateur la traite.",
    enLine: 'Your request has been received; the operator is handling it.',
  },
  action_needed: {
    fr: 'Intervention requise',
    en: 'Action needed',
    frLine: "L'opérateur a détecté un problème qui demande votre intervention (voir l'objet ci-dessous).",
    enLine: 'The operator has detected a problem that needs your action (see the subject below).',
  },
  signature_needed: {
    fr: 'Signature requise',
    en: 'Signature needed',
    frLine: "Cette demande attend votre signature en tant que représentant légal de l'établissement.",
    enLine: "This request is waiting for your signature as the institution's legal representative.",
  },
  returned: {
    fr: 'Demande renvoyée pour complément',
    en: 'Request returned for changes',
    frLine: "L'opérateur vous renvoie cette demande : modifiez-la puis soumettez-la à nouveau.",
    enLine: 'The operator has returned this request to you: amend it, then submit it again.',
  },
  completed: {
    fr: 'Demande traitée',
    en: 'Request completed',
    frLine: 'Votre demande a été traitée.',
    enLine: 'Your request has been completed.',
  },
  rejected: {
    fr: 'Demande refusée',
    en: 'Request rejected',
    frLine: "L'opérateur a refusé cette demande.",
    enLine: 'The operator has rejected this request.',
  },
};

export interface MailData {
  template: Template;
  requestId: string;
  kind: string;
  kindTitle: string;
  institutionName: string;
  status: string;
  reason: string | null;
  /** What the request is about, in one line (the kind's `summary`), when the kind has one. */
  summary?: string | null;
  /** `${PUBLIC_URL}/requests/<id>`, when PUBLIC_URL is set. */
  link: string | null;
}

export function subjectOf(d: MailData): string {
  const w = WORDS[d.template];
  return `[Guichet] ${w.fr} / ${w.en} — ${d.kind} (${d.institutionName})`;
}

export function textOf(d: MailData): string {
  const w = WORDS[d.template];
  const block = (lang: 'fr' | 'en') => {
    const fr = lang === 'fr';
    // French typography puts a space before the colon; English does not.
    const field = (frLabel: string, enLabel: string, value: string) =>
      fr ? `  ${frLabel} : ${value}` : `  ${enLabel}: ${value}`;
    const lines = [
      fr ? 'Bonjour,' : 'Hello,',
      '',
      fr ? w.frLine : w.enLine,
      '',
      field('Demande', 'Request', d.requestId),
      field('Type', 'Kind', `${d.kindTitle} (${d.kind})`),
      field('Établissement', 'Institution', d.institutionName),
      field('Statut', 'Status', d.status),
    ];
    if (d.summary) lines.push(field('Objet', 'Subject', d.summary));
    if (d.reason) lines.push(field('Motif', 'Reason', d.reason));
    if (d.link) lines.push(field('Lien', 'Link', d.link));
    return lines.join('\n');
  };
  return `${block('fr')}\n\n-- English --\n\n${block('en')}\n\n--\nGuichet\n`;
}

/** The link people follow, without doubling the slash of a PUBLIC_URL ending in one. */
export function requestLink(publicUrl: string | undefined, requestId: string): string | null {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}/requests/${requestId}` : null;
}

/** The domain of the sender address (`Guichet <guichet@renater.fr>` → `renater.fr`), for Message-IDs. */
export function mailDomain(mailFrom: string): string {
  return /@([^\s<>@]+?)>?\s*$/.exec(mailFrom)?.[1] ?? 'guichet.invalid';
}
