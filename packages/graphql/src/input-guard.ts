import { type FieldIssue, isUuid, NotFoundError, ValidationError } from '@guichet/core';
import SchemaBuilder, {
  BasePlugin,
  type FieldRequiredness,
  type InputType,
  type PothosInputFieldConfig,
  type PothosOutputFieldConfig,
  type SchemaTypes,
} from '@pothos/core';
import {
  type GraphQLArgument,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLResolveInfo,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { DEFAULT_MAX_LENGTH, shorten, textProblem } from './text.js';

/**
 * The input guard: one place where every argument of every field is checked before its
 * resolver runs, so each line gets the same boundary for free.
 *
 * - every `String` input (argument or input-object field, at any depth, in lists) is at most
 *   `maxLength` characters (`DEFAULT_MAX_LENGTH` unless the field says more; the limit is
 *   written into its description), with no control character and no unpaired surrogate —
 *   refused as a `ValidationError` naming the field path;
 * - every `ID` input that is not a UUID reads as an id that exists nowhere: the resolver sees
 *   an id no row can have, so it answers exactly as for an unknown UUID (null, an empty list,
 *   a `NotFoundError` — which then names the id the client sent). UUIDs are lower-cased.
 *
 * It runs inside authorisation (scope-auth wraps it) and inside the errors plugin, so a
 * refusal becomes the typed `ValidationError` member of a mutation's result when it has one.
 */

declare global {
  export namespace PothosSchemaTypes {
    interface Plugins<Types extends SchemaTypes> {
      inputGuard: PothosInputGuardPlugin<Types>;
    }
    interface InputFieldOptions<
      Types extends SchemaTypes = SchemaTypes,
      Type extends InputType<Types> | [InputType<Types>] = InputType<Types> | [InputType<Types>],
      Req extends FieldRequiredness<Type> = FieldRequiredness<Type>,
    > {
      /** For a String input: the most characters it accepts (default `DEFAULT_MAX_LENGTH`). */
      maxLength?: number;
    }
  }
}

const pluginName = 'inputGuard';
export default pluginName;

// Ids that cannot exist (gen_random_uuid and randomUUID give version 4; these are version 0),
// one per replaced value so a NotFoundError can be traced back to what the client sent.
const UNKNOWN_PREFIX = '00000000-0000-0000-0000-';
const unknownId = (n: number) => `${UNKNOWN_PREFIX}${n.toString(16).padStart(12, '0')}`;

export class PothosInputGuardPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onInputFieldConfig(fieldConfig: PothosInputFieldConfig<Types>): PothosInputFieldConfig<Types> {
    if (namedTypeName(this, fieldConfig.type) !== 'String') return fieldConfig;
    const max = (fieldConfig.pothosOptions as { maxLength?: number }).maxLength ?? DEFAULT_MAX_LENGTH;
    const limit = `At most ${max.toLocaleString('en-GB')} characters.`;
    const description = fieldConfig.description ? `${fieldConfig.description.trimEnd()} ${limit}` : limit;
    return { ...fieldConfig, description, extensions: { ...fieldConfig.extensions, maxLength: max } };
  }

  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    if (Object.keys(fieldConfig.args).length === 0) return resolver;
    // The plan needs the built GraphQL types, so it is made on the first call.
    let plan: GraphQLArgument[] | undefined;
    return (parent, args, context, info) => {
      plan ??= guardedArguments(info);
      if (plan.length === 0) return resolver(parent, args, context, info);
      const state: GuardState = { issues: [], replaced: [] };
      const checked: Record<string, unknown> = { ...(args as Record<string, unknown>) };
      for (const arg of plan) {
        if (checked[arg.name] != null) {
          checked[arg.name] = guard(checked[arg.name], arg.type, [arg.name], arg.extensions, state);
        }
      }
      if (state.issues.length) throw refusal(state.issues);
      if (state.replaced.length === 0) return resolver(parent, checked, context, info);
      return Promise.resolve()
        .then(() => resolver(parent, checked, context, info))
        .then(
          (result) => renameUnknown(result, state.replaced),
          (error: unknown) => {
            throw renameUnknown(error, state.replaced);
          },
        );
    };
  }
}

// A loader that evaluates this module twice (drizzle-kit reading the tables) must not fail on
// the second registration: both copies are the same code.
if (!(SchemaBuilder as unknown as { plugins: Record<string, unknown> }).plugins[pluginName]) {
  SchemaBuilder.registerPlugin(pluginName, PothosInputGuardPlugin);
}

interface GuardState {
  issues: FieldIssue[];
  /** The values sent for ids that were replaced, by position (see `unknownId`). */
  replaced: string[];
}

function namedTypeName<Types extends SchemaTypes>(
  plugin: BasePlugin<Types>,
  type: PothosInputFieldConfig<Types>['type'],
): string | undefined {
  let t: PothosInputFieldConfig<Types>['type'] = type;
  while (t.kind === 'List') t = t.type;
  if (t.kind !== 'Scalar') return undefined;
  return plugin.buildCache.getTypeConfig(t.ref).name;
}

function guardedArguments(info: GraphQLResolveInfo): GraphQLArgument[] {
  const field = info.parentType.getFields()[info.fieldName];
  return (field?.args ?? []).filter((a) => holdsGuarded(a.type, new Set()));
}

function holdsGuarded(type: GraphQLInputType, seen: Set<string>): boolean {
  const named = getNamedType(type);
  if (isScalarType(named)) return named.name === 'String' || named.name === 'ID';
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((f) => holdsGuarded(f.type, seen));
}

function guard(
  value: unknown,
  type: GraphQLInputType,
  path: (string | number)[],
  extensions: { maxLength?: unknown },
  state: GuardState,
): unknown {
  if (value == null) return value;
  if (isNonNullType(type)) return guard(value, type.ofType, path, extensions, state);
  if (isListType(type)) {
    if (!Array.isArray(value)) return guard(value, type.ofType, path, extensions, state);
    return value.map((v, i) => guard(v, type.ofType, [...path, i], extensions, state));
  }
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const f of Object.values(type.getFields())) {
      if (out[f.name] != null)
        out[f.name] = guard(out[f.name], f.type, [...path, f.name], f.extensions, state);
    }
    return out;
  }
  if (!isScalarType(type) || typeof value !== 'string') return value;
  if (type.name === 'String') {
    const max = typeof extensions.maxLength === 'number' ? extensions.maxLength : DEFAULT_MAX_LENGTH;
    const problem = textProblem(value, max);
    if (problem) state.issues.push({ path, message: problem });
    return value;
  }
  if (type.name === 'ID') {
    if (isUuid(value)) return value.toLowerCase();
    state.replaced.push(value);
    return unknownId(state.replaced.length);
  }
  return value;
}

function refusal(issues: FieldIssue[]): ValidationError {
  const [first] = issues;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new ValidationError(`${first!.path.join('.')}: ${first!.message}${more}`, issues);
}

/** A NotFoundError for one of the replacement ids names the id the client actually sent. */
function renameUnknown<T>(value: T, replaced: string[]): T {
  if (!(value instanceof NotFoundError) || !value.id.startsWith(UNKNOWN_PREFIX)) return value;
  const sent = replaced[Number.parseInt(value.id.slice(UNKNOWN_PREFIX.length), 16) - 1];
  if (sent === undefined) return value;
  return new NotFoundError(value.entity, shorten(sent)) as T;
}
