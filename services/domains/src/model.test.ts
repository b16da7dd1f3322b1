import { describe, expect, it } from 'vitest';
import { contactHandle, formatPrice, holderHandle, priceOf, reminderDue, resourceState } from './model.js';

describe('domains model', () => {
  it('prices a name: included under tutelle, 75 € under contract except the free first one', () => {
    expect(priceOf('tutelle', false)).toEqual({ pricing: 'tutelle', cents: 0 });
    expect(priceOf('tutelle', true)).toEqual({ pricing: 'tutelle', cents: 0 });
    expect(priceOf('contrat', true)).toEqual({ pricing: 'first-free', cents: 0 });
    expect(priceOf('contrat', false)).toEqual({ pricing: 'contrat', cents: 7500 });
    expect(formatPrice(7500)).toBe('75 €');
  });

  it('maps the domain lifecycle onto the common resource lifecycle', () => {
    expect(
      ['requested', 'provisioning', 'active', 'redemption', 'deleted'].map((s) => resourceState(s as never)),
    ).toEqual(['requested', 'provisioning', 'active', 'disabled', 'terminated']);
  });

  it('derives registry handles of 16 characters', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(contactHandle(id)).toBe('GC0F8FAD5BD9CB46');
    expect(holderHandle(id)).toHaveLength(16);
  });

  it('reminds at 60, 30 and 7 days, each once', () => {
    const now = new Date('2027-01-01T00:00:00Z');
    const at = (days: number) => new Date(now.getTime() + days * 86_400_000);
    expect(reminderDue(at(90), now, null)).toBeNull();
    expect(reminderDue(at(59), now, null)).toBe(60);
    expect(reminderDue(at(59), now, 60)).toBeNull();
    expect(reminderDue(at(29), now, 60)).toBe(30);
    expect(reminderDue(at(5), now, null)).toBe(7);
    expect(reminderDue(at(5), now, 7)).toBeNull();
    expect(reminderDue(at(-1), now, null)).toBeNull();
  });
});
