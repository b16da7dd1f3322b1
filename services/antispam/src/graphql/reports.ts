import { builder, STAFF_READ } from '@guichet/graphql';
import { requestMutation, submitField, TicketType } from '@guichet/workflow';
import {
  allReports,
  institutionReports,
  type ReportRow,
  reportForRequest,
  reportPayload,
} from '../service/reports.js';
import { REPORT_REQUEST } from '../workflow.js';
import { AntispamRef } from './types.js';

/**
 * Misclassification reports: `reportMisclassification` (a request, so the NOC sees it in the
 * antispam queue), the institution's reports and the staff list, each with rspamd's verdict.
 * The message itself is not returned: the institution has it, the NOC reads it in rspamd.
 */

const ReportKindEnum = builder.enumType('AntispamReportKind', {
  description: 'What the gateway got wrong.',
  values: {
    FALSE_POSITIVE: { value: 'false-positive', description: 'A legitimate message taken for spam.' },
    FALSE_NEGATIVE: { value: 'false-negative', description: 'A spam the gateway let through.' },
  } as const,
});

const SymbolRef = builder.objectRef<{ name: string; score: number }>('AntispamSymbol').implement({
  description: 'One rspamd rule that fired on the message.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The symbol (e.g. `BAYES_SPAM`).' }),
    score: t.exposeFloat('score', { description: 'What it added to the score.' }),
  }),
});

const ReportRef = builder.objectRef<ReportRow>('AntispamReport').implement({
  description: 'A message reported as misclassified, with what rspamd said of it.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Its identifier.' }),
    requestId: t.exposeID('requestId', {
      nullable: true,
      description: 'Its request (`antispam.misclassification`).',
    }),
    institutionId: t.exposeID('institutionId', { description: 'The reporting institution.' }),
    kind: t.field({
      type: ReportKindEnum,
      description: 'False positive or negative.',
      resolve: (r) => r.kind as never,
    }),
    sender: t.exposeString('sender', { nullable: true, description: 'The From address.' }),
    subject: t.exposeString('subject', { nullable: true, description: 'The subject.' }),
    score: t.exposeFloat('score', { nullable: true, description: 'rspamd’s score (once scanned).' }),
    action: t.exposeString('action', {
      nullable: true,
      description: 'rspamd’s action (`reject`, `add header`, `no action`…).',
    }),
    symbols: t.field({
      type: [SymbolRef],
      description: 'The rules that fired, largest contribution first.',
      resolve: (r) => r.symbols ?? [],
    }),
    state: t.exposeString('state', {
      description: '`filed`, `scanned`, `learned` (the NOC confirmed, rspamd learned it) or `dismissed`.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was reported.' }),
  }),
});

builder.objectField(AntispamRef, 'reports', (t) =>
  t.field({
    type: [ReportRef],
    description: 'Its latest reports (100 at most), newest first.',
    resolve: (a, _x, { database }) => institutionReports(database.db, a.institutionId),
  }),
);

// The NOC's ticket shows what rspamd said (score, action, symbols) next to the request.
builder.objectField(TicketType, 'antispamReport', (t) =>
  t.field({
    type: ReportRef,
    nullable: true,
    description: 'For an antispam misclassification ticket: the report, with rspamd’s score and symbols.',
    resolve: (tk, _a, { database }) =>
      tk.kind === REPORT_REQUEST ? reportForRequest(database.db, tk.requestId) : null,
  }),
);

builder.queryField('antispamReports', (t) =>
  t.field({
    type: [ReportRef],
    description:
      'Every institution’s misclassification reports (200 at most), open ones first. Operator staff.',
    authScopes: STAFF_READ,
    resolve: (_r, _a, { database }) => allReports(database.db),
  }),
);

const ReportInput = builder.inputType('ReportMisclassificationInput', {
  description: 'A message the gateway misclassified.',
  fields: (f) => ({
    institutionId: f.id({ description: 'The institution (the message was for one of its domains).' }),
    kind: f.field({ type: ReportKindEnum, description: 'False positive or negative.' }),
    eml: f.string({
      description:
        'The whole message as received (`.eml`, headers included); at most ANTISPAM_REPORT_MAX_BYTES (and the HTTP body limit, BODY_LIMIT_BYTES).',
      // The real bound is the line's variable (checked in bytes by the service); this is its ceiling.
      maxLength: 25 * 1024 * 1024,
    }),
    submit: submitField(f),
  }),
});

requestMutation<{ institutionId: string | number; kind: string; eml: string; submit?: boolean | null }>(
  'reportMisclassification',
  {
    kind: REPORT_REQUEST,
    description:
      'Reports a message the antispam gateway got wrong (request kind `antispam.misclassification`): stored, scanned by rspamd for the NOC, and once the NOC confirms, learned (and the sender of a false positive possibly allow-listed). A technical contact of the institution, or the desk.',
    input: ReportInput,
    inputDescription: 'The report.',
    payload: (input, context) =>
      reportPayload(context.env, context.ctx, String(input.institutionId), {
        kind: input.kind,
        eml: input.eml,
      }),
  },
);
