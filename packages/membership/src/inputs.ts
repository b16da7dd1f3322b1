import { CONTACT_ROLES, isUuid } from '@guichet/core';
import { parseEmailAddress } from '@guichet/net';
import { z } from 'zod';
import {
  compactDigits,
  INSTITUTION_KINDS,
  isValidSiret,
  LA_POSTE_SIREN,
  luhnValid,
  normaliseEppn,
  normalisePhone,
  SERVICES,
} from './model.js';

/**
 * Input schemas of the use-cases (pure). Messages are written for the person who typed the
 * value; the services prefix the paths with `input` (`['input', 'secondarySites', 2, 'city']`).
 */

const text = (label: string, max: number) =>
  z
    .string({ error: `${label} must be text` })
    .trim()
    .min(1, { error: `${label} is required` })
    .max(max, { error: `${label} is at most ${max} characters` });

const fail = (ctx: z.RefinementCtx, message: string) => {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
};

export const uuidSchema = z
  .string({ error: 'an identifier is expected' })
  .refine(isUuid, { error: 'not an identifier Guichet issued' });

export const sirenSchema = z.string({ error: 'a SIREN is 9 digits' }).transform((v, ctx) => {
  const d = compactDigits(v);
  if (!/^[0-9]{9}$/.test(d)) return fail(ctx, `"${v}" is not a SIREN: 9 digits expected`);
  if (!luhnValid(d)) return fail(ctx, `${d} is not a valid SIREN: its check digit is wrong`);
  return d;
});

export const siretSchema = z.string({ error: 'a SIRET is 14 digits' }).transform((v, ctx) => {
  const d = compactDigits(v);
  if (!/^[0-9]{14}$/.test(d)) return fail(ctx, `"${v}" is not a SIRET: 14 digits expected`);
  if (!isValidSiret(d)) {
    return fail(
      ctx,
      d.startsWith(LA_POSTE_SIREN)
        ? `${d} is not a valid La Poste SIRET: its digits must add up to a multiple of 5`
        : `${d} is not a valid SIRET: its check digit is wrong`,
    );
  }
  return d;
});

export const emailSchema = z.string({ error: 'an email address is expected' }).transform((v, ctx) => {
  try {
    return parseEmailAddress(v);
  } catch {
    return fail(ctx, `"${v}" is not an email address`);
  }
});

export const phoneSchema = z.string({ error: 'a phone number is expected' }).transform((v, ctx) => {
  const phone = normalisePhone(v);
  return phone ?? fail(ctx, `"${v}" is not a phone number: write it +33 1 23 45 67 89 or 01 23 45 67 89`);
});

export const eppnSchema = z.string({ error: 'an eduPersonPrincipalName is expected' }).transform((v, ctx) => {
  const eppn = normaliseEppn(v);
  return eppn ?? fail(ctx, `"${v}" is not an eduPersonPrincipalName (user@scope.example)`);
});

export const serviceSchema = z.enum(SERVICES, { error: `a service is one of ${SERVICES.join(', ')}` });
export const roleSchema = z.enum(CONTACT_ROLES, { error: `a role is one of ${CONTACT_ROLES.join(', ')}` });

export const bandwidthSchema = z
  .number({ error: 'the committed bandwidth is a number of Mbit/s' })
  .int({ error: 'the committed bandwidth is a whole number of Mbit/s' })
  .min(1, { error: 'the committed bandwidth must be a positive number of Mbit/s' })
  .max(10_000_000, { error: 'the committed bandwidth is at most 10,000,000 Mbit/s (10 Tbit/s)' });

export const siteSchema = z.object({
  name: text('the site name', 200),
  address: text('the address', 500),
  city: text('the city', 100),
});
export type SiteInput = z.input<typeof siteSchema>;

const services = z.array(serviceSchema).transform((l) => [...new Set(l)]);

export const agreementTermsSchema = z.object({
  conventionRef: text('the convention reference', 100),
  charterRef: text('the charter reference', 100),
  bandwidthMbps: bandwidthSchema,
  services: services.default([]),
});

export const createInstitutionSchema = z
  .object({
    name: text('the name', 200),
    shortName: text('the short name', 50),
    kind: z.enum(INSTITUTION_KINDS, { error: 'the kind is tutelle or contrat' }),
    siren: sirenSchema,
    siret: siretSchema.nullish(),
    collector: text('the regional collector', 100),
    mainSite: siteSchema,
    secondarySites: z.array(siteSchema).max(500, { error: 'at most 500 secondary sites' }).default([]),
    agreement: agreementTermsSchema,
  })
  .superRefine((v, ctx) => {
    if (v.siret && !v.siret.startsWith(v.siren)) {
      ctx.addIssue({
        code: 'custom',
        path: ['siret'],
        message: `the SIRET ${v.siret} does not start with the SIREN ${v.siren}`,
      });
    }
    const seen = new Set([v.mainSite.name.toLowerCase()]);
    v.secondarySites.forEach((s, i) => {
      const key = s.name.toLowerCase();
      if (seen.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['secondarySites', i, 'name'],
          message: `"${s.name}" is used twice`,
        });
      }
      seen.add(key);
    });
  });
export type CreateInstitutionInput = z.input<typeof createInstitutionSchema>;

export const updateInstitutionSchema = z
  .object({
    name: text('the name', 200).optional(),
    shortName: text('the short name', 50).optional(),
    collector: text('the regional collector', 100).optional(),
  })
  .refine((v) => v.name !== undefined || v.shortName !== undefined || v.collector !== undefined, {
    error: 'give at least one of name, shortName, collector',
  });
export type UpdateInstitutionInput = z.input<typeof updateInstitutionSchema>;

const roles = z.array(roleSchema).transform((l) => [...new Set(l)]);

export const createContactSchema = z.object({
  institutionId: uuidSchema,
  name: text('the name', 200),
  email: emailSchema,
  phone: phoneSchema.nullish(),
  eppn: eppnSchema.nullish(),
  roles: roles.default([]),
});
export type CreateContactInput = z.input<typeof createContactSchema>;

/** Absent: unchanged; null: cleared (phone, eppn). */
export const updateContactSchema = z
  .object({
    name: text('the name', 200).optional(),
    email: emailSchema.optional(),
    phone: phoneSchema.nullable().optional(),
    eppn: eppnSchema.nullable().optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), {
    error: 'give at least one of name, email, phone, eppn',
  });
export type UpdateContactInput = z.input<typeof updateContactSchema>;

export const draftChangesSchema = z
  .object({
    bandwidthMbps: bandwidthSchema.optional(),
    securityContactId: uuidSchema.nullable().optional(),
    secondarySiteIds: z.array(uuidSchema).max(500).optional(),
    /** With eduroam: the contact holding the `eduroam` role the eduroam charter names. */
    eduroamContactId: uuidSchema.nullable().optional(),
    /** With eduroam: the eduroam policy version whose charter the head signs. */
    eduroamPolicy: text('the eduroam policy version', 200).optional(),
    activateServices: services.optional(),
    deactivateServices: services.optional(),
  })
  .superRefine((v, ctx) => {
    const ids = v.secondarySiteIds ?? [];
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) {
        ctx.addIssue({ code: 'custom', path: ['secondarySiteIds', i], message: 'this site is listed twice' });
      }
    });
    (v.deactivateServices ?? []).forEach((s, i) => {
      if (v.activateServices?.includes(s)) {
        ctx.addIssue({
          code: 'custom',
          path: ['deactivateServices', i],
          message: `${s} cannot be both activated and deactivated`,
        });
      }
    });
  });
export type DraftChanges = z.input<typeof draftChangesSchema>;

export const signatureSchema = z.object({
  documentHash: z
    .string({ error: 'the SHA-256 of the document is expected' })
    .trim()
    .regex(/^[0-9a-fA-F]{64}$/, { error: 'a SHA-256 is 64 hexadecimal digits' })
    .transform((h) => h.toLowerCase()),
});

export const reasonSchema = text('the reason', 1000);
