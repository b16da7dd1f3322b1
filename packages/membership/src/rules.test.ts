import { type Actor, CONTACT_ROLES, type ContactRole, type StaffRole } from '@guichet/core';
import { describe, expect, it } from 'vitest';
import { canFileFor, canManageMembership, canReadInstitution, canSignFor } from './rules.js';

const A = 'inst-a';
const B = 'inst-b';
const contact = (institutionId: string, roles: ContactRole[], scope: 'read' | 'write' = 'write'): Actor => ({
  kind: 'contact',
  id: `c-${roles.join('-')}`,
  displayName: 'x',
  institutionId,
  roles,
  credential: { method: 'token', scope },
});
const staff = (roles: StaffRole[], scope: 'read' | 'write' = 'write'): Actor => ({
  kind: 'staff',
  id: 's',
  username: 's',
  displayName: 's',
  roles,
  credential: { method: 'session', scope },
});

describe('membership rules', () => {
  it.each(CONTACT_ROLES)('a %s contact reads its own institution and never another', (role) => {
    expect(canReadInstitution(contact(A, [role]), A)).toBe(true);
    expect(canReadInstitution(contact(A, [role]), B)).toBe(false);
  });

  it.each(CONTACT_ROLES)('only a technical contact files requests (role %s)', (role) => {
    expect(canFileFor(contact(A, [role]), A)).toBe(role === 'technical');
    expect(canFileFor(contact(A, [role]), B)).toBe(false);
  });

  it('a read-only token never files, signs or manages', () => {
    expect(canFileFor(contact(A, ['technical'], 'read'), A)).toBe(false);
    expect(canSignFor(contact(A, ['head'], 'read'), A)).toBe(false);
    expect(canManageMembership(staff(['desk'], 'read'))).toBe(false);
  });

  it('only the head of institution signs, and only for their institution', () => {
    expect(canSignFor(contact(A, ['head']), A)).toBe(true);
    expect(canSignFor(contact(A, ['head']), B)).toBe(false);
    expect(canSignFor(contact(A, ['technical', 'administrative']), A)).toBe(false);
    expect(canSignFor(staff(['admin']), A)).toBe(false);
  });

  it('staff read everything; the desk and admins manage membership and may file for an institution', () => {
    for (const r of ['noc', 'desk', 'admin'] as const) expect(canReadInstitution(staff([r]), A)).toBe(true);
    expect(canManageMembership(staff(['desk']))).toBe(true);
    expect(canManageMembership(staff(['admin']))).toBe(true);
    expect(canManageMembership(staff(['noc']))).toBe(false);
    expect(canFileFor(staff(['desk']), A)).toBe(true);
    expect(canFileFor(staff(['noc']), A)).toBe(false);
    expect(canReadInstitution({ kind: 'anonymous' }, A)).toBe(false);
  });
});
