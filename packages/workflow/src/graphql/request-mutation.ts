import { renameIssuePaths } from '@guichet/core';
import { builder, type GraphQLContext, WRITE } from '@guichet/graphql';
import { fileRequest } from '../requests/service.js';
import { fileOnce } from './keyed-filing.js';
import { REQUEST_ERRORS, requestPayload } from './requests.js';

/**
 * The one way a line exposes "file a request of kind K": `<name>(input)` → `<Name>Payload {
 * request }` | the request errors. Who may file is the engine's rule (a technical contact of
 * the institution, or the desk), so the field needs only a write credential. The input type
 * must have `institutionId` and an optional `submit` (see `submitField`).
 */

export interface RequestMutationOptions<I> {
  kind: string;
  description: string;
  // biome-ignore lint/suspicious/noExplicitAny: a Pothos input ref of any shape; the resolver reads it as I
  input: any;
  inputDescription?: string;
  /** The kind's payload, from the input (ids as strings, nulls dropped). */
  payload: (input: I, context: GraphQLContext) => unknown | Promise<unknown>;
  /** Input field names that differ from the payload's, for field paths (`{ size: 'length' }`). */
  rename?: Record<string, string>;
  payloadDescription?: string;
}

const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function requestMutation<I extends { institutionId: string | number; submit?: boolean | null }>(
  name: string,
  o: RequestMutationOptions<I>,
): void {
  builder.mutationField(name, (t) =>
    t.field({
      type: requestPayload(upperFirst(name), o.payloadDescription ?? 'The filed request.'),
      description: o.description,
      authScopes: WRITE,
      errors: { types: REQUEST_ERRORS },
      args: {
        input: t.arg({
          type: o.input,
          required: true,
          description: o.inputDescription ?? 'What is asked for.',
        }),
      },
      resolve: async (_r, args, context, info) => {
        const input = (args as { input: I }).input;
        try {
          const payload = await o.payload(input, context);
          const request = await fileOnce(context, info.path.key.toString(), { kind: o.kind, input }, (db) =>
            fileRequest(
              db,
              context.ctx,
              context.env,
              {
                kind: o.kind,
                institutionId: String(input.institutionId),
                payload,
                submit: input.submit ?? true,
              },
              { payloadPath: ['input'] },
            ),
          );
          return { request };
        } catch (e) {
          throw o.rename ? renameIssuePaths(e, o.rename) : e;
        }
      },
    }),
  );
}

/** The `submit` field every filing input has. */
export const submitField = (f: Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0]) =>
  f.boolean({
    required: false,
    description: 'Submit at once (default); false keeps a draft to amend and submit later.',
  });

/** `x ?? undefined` for optional GraphQL inputs (null means absent). */
export const opt = <T>(v: T | null | undefined): T | undefined => v ?? undefined;
/** An optional ID input as a string. */
export const optId = (v: string | number | null | undefined): string | undefined =>
  v == null ? undefined : String(v);
