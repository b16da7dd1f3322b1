import type { DomainState } from './tables.js';

/**
 * Pure vocabulary of the domains line: the price rule, the common resource lifecycle, and the
 * registry handles Guichet derives from its own ids (deterministic, so a retried create names
 * the same object).
 */

/** 75 € a name for an institution under contract (fr-domains.md §1). */
export const CONTRACT_PRICE_CENTS = 7500;

export type Pricing = 'tutelle' | 'first-free' | 'contrat';

/**
 * The price of a name: included for an institution under a supervising ministry; under
 * contract 75 €, except the first name, which is free. `gotFreeSlot` says whether this filing
 * claimed the institution's free name (the database decides: tables.ts `domains_free_names`).
 */
export function priceOf(
  kind: 'tutelle' | 'contrat',
  gotFreeSlot: boolean,
): { pricing: Pricing; cents: number } {
  if (kind === 'tutelle') return { pricing: 'tutelle', cents: 0 };
  return gotFreeSlot
    ? { pricing: 'first-free', cents: 0 }
    : { pricing: 'contrat', cents: CONTRACT_PRICE_CENTS };
}

export function formatPrice(cents: number): string {
  return cents === 0 ? '0 €' : `${(cents / 100).toFixed(cents % 100 ? 2 : 0)} €`;
}

/** The workflow's common resource lifecycle (services/README.md "Resources"). */
export type ResourceState = 'requested' | 'provisioning' | 'active' | 'disabled' | 'terminated';

/** A name in its redemption period is out of the zone (disabled); deleted is terminated. */
export function resourceState(s: DomainState): ResourceState {
  switch (s) {
    case 'redemption':
      return 'disabled';
    case 'deleted':
      return 'terminated';
    default:
      return s;
  }
}

const hex = (uuid: string) => uuid.replace(/-/g, '').toUpperCase();

/** Registry handle of a membership contact (eppcom:clIDType: 3–16 characters). */
export function contactHandle(contactId: string): string {
  return `GC${hex(contactId).slice(0, 14)}`;
}

/** Registry handle of a domain's holder (one per domain: holders differ across names). */
export function holderHandle(domainId: string): string {
  return `GH${hex(domainId).slice(0, 14)}`;
}

/** Days before expiry at which the technical contacts are reminded, largest first. */
export const REMINDER_DAYS = [60, 30, 7] as const;

/** The reminder due now (days before expiry), if any not sent yet. */
export function reminderDue(expiresAt: Date, now: Date, lastSent: number | null): number | null {
  const left = (expiresAt.getTime() - now.getTime()) / 86_400_000;
  if (left < 0) return null;
  const due = REMINDER_DAYS.filter((d) => left <= d).at(-1);
  if (due === undefined) return null;
  return lastSent !== null && lastSent <= due ? null : due;
}
