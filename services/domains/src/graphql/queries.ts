import { builder } from '@guichet/graphql';
import { canReadInstitution, InstitutionRef } from '@guichet/membership';
import { checkCharter } from '../charter.js';
import { getDomain, institutionDomains, listDomains, recentPollMessages } from '../service/queries.js';
import { DomainRef, DomainStateEnum, PollMessageRef } from './types.js';

const ViolationRef = builder.simpleObject('CharterViolation', {
  description: 'A rule of the naming charter a name breaks.',
  fields: (t) => ({
    rule: t.string({ description: 'The rule (`charter.hyphen-edge`, `charter.length`…).' }),
    message: t.string({ description: 'What is wrong.' }),
  }),
});

const NameCheckRef = builder.simpleObject('DomainNameCheck', {
  description: 'What the charter and the registry say of a name (for forms: nothing is filed).',
  fields: (t) => ({
    name: t.string({ description: 'The name as typed.' }),
    aName: t.string({ nullable: true, description: 'Its A-label form, when it passes the charter.' }),
    uName: t.string({ nullable: true, description: 'Its U-label form, when it passes the charter.' }),
    charterOk: t.boolean({ description: 'It passes the naming charter.' }),
    violations: t.field({ type: [ViolationRef], description: 'The charter rules it breaks.' }),
    available: t.boolean({
      nullable: true,
      description:
        'The registry says it can be registered (null: not asked — charter failed, or no registry here).',
    }),
    reserved: t.boolean({
      nullable: true,
      description: 'A reserved term: registration goes through AFNIC’s prior review.',
    }),
    reason: t.string({
      nullable: true,
      description: 'The registry’s reason (in use, reserved term, forbidden…).',
    }),
  }),
});

builder.queryFields((t) => ({
  domain: t.field({
    type: DomainRef,
    nullable: true,
    description:
      'One domain name; null if it does not exist or is not yours to see. Its institution’s contacts and operator staff.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Its identifier.' }) },
    resolve: async (_r, { id }, { database, ctx }) => {
      const d = await getDomain(database.db, String(id));
      return d && canReadInstitution(ctx.actor, d.institutionId) ? d : null;
    },
  }),
  domains: t.field({
    type: [DomainRef],
    description:
      'Every domain name, by name (at most 1,000), filtered by state and institution. Operator staff.',
    authScopes: { staff: true },
    args: {
      state: t.arg({ type: DomainStateEnum, required: false, description: 'Only names in this state.' }),
      institutionId: t.arg.id({ required: false, description: 'Only this institution’s names.' }),
      limit: t.arg.int({ required: false, description: 'At most this many (default 100).' }),
    },
    resolve: (_r, a, { database }) =>
      listDomains(database.db, {
        ...(a.state ? { state: a.state } : {}),
        ...(a.institutionId ? { institutionId: String(a.institutionId) } : {}),
        ...(a.limit ? { limit: a.limit } : {}),
      }),
  }),
  domainPollMessages: t.field({
    type: [PollMessageRef],
    description:
      'The latest messages of the registry’s poll queue and what Guichet did about them. Operator staff.',
    authScopes: { staff: true },
    args: { limit: t.arg.int({ required: false, description: 'At most this many (default 50).' }) },
    resolve: (_r, a, { database }) => recentPollMessages(database.db, a.limit ?? 50),
  }),
  checkDomainName: t.field({
    type: NameCheckRef,
    description:
      'Checks a name against the naming charter and asks the registry whether it is available. Files nothing. Anyone signed in.',
    authScopes: { authenticated: true },
    args: {
      name: t.arg.string({ required: true, description: 'The name (U-label or A-label), e.g. `école.fr`.' }),
    },
    resolve: async (_r, { name }, { env }) => {
      const c = checkCharter(name);
      if (!c.ok)
        return {
          name,
          aName: null,
          uName: null,
          charterOk: false,
          violations: c.violations,
          available: null,
          reserved: null,
          reason: null,
        };
      const base = { name, aName: c.name.aName, uName: c.name.uName, charterOk: true, violations: [] };
      const { registry } = env.line('domains');
      if (c.name.zone === 'prd.fr' || !registry)
        return { ...base, available: null, reserved: null, reason: null };
      const [r] = await registry.check([c.name.aName]);
      return {
        ...base,
        available: r ? r.avail || r.reserved : null,
        reserved: r?.reserved ?? null,
        reason: r?.fbdReason ?? r?.rsvReason ?? r?.reason ?? null,
      };
    },
  }),
}));

// Reached only through an institution the caller may read: the institution's own rule applies.
builder.objectField(InstitutionRef, 'domains', (t) =>
  t.field({
    type: [DomainRef],
    description: 'Its domain names (.fr and .prd.fr), by name; deleted ones are left out.',
    resolve: (inst, _a, { database }) => institutionDomains(database.db, inst.id),
  }),
);
