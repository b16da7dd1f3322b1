import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  Kind,
  type OperationDefinitionNode,
  parse,
  valueFromASTUntyped,
} from 'graphql';
import { sampleFor } from './values.js';

/**
 * How the fuzz test calls a root field (test code only): every argument as a variable, so any
 * scalar position can be replaced, and a selection built from the return type — so a field
 * added tomorrow is covered without anyone writing a case.
 */

export type Path = (string | number)[];

export interface Position {
  path: Path;
  /** The named type of the scalar or enum at this position. */
  type: GraphQLNamedType;
}

export interface Target {
  /** `Query.x` or `Mutation.y`. */
  name: string;
  operation: 'query' | 'mutation';
  field: GraphQLField<unknown, unknown>;
  document: string;
  /** Variable values of a call that reaches real objects (or plausible ones). */
  baseline: Record<string, unknown>;
  positions: Position[];
}

export function rootFields(
  schema: GraphQLSchema,
): { name: string; operation: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }[] {
  const out = [];
  for (const [operation, type] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      out.push({ name: `${type!.name}.${field.name}`, operation, field });
    }
  }
  return out;
}

/**
 * A target for one root field. `example` (a call from the authorisation matrix, if any) gives
 * the argument values; arguments it does not give are filled with plausible samples.
 */
export function makeTarget(
  root: ReturnType<typeof rootFields>[number],
  example?: { query: string; variables?: Record<string, unknown> },
): Target {
  const { field } = root;
  const given = example ? argumentsOf(example, field.name) : {};
  const baseline: Record<string, unknown> = {};
  for (const arg of field.args) {
    if (given[arg.name] !== undefined) baseline[arg.name] = given[arg.name];
    else if (isNonNullType(arg.type)) baseline[arg.name] = sample(arg.type);
  }
  const vars = field.args.map((a) => `$${a.name}: ${a.type}`).join(', ');
  const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const document = `${root.operation}${vars ? `(${vars})` : ''} { r: ${field.name}${args ? `(${args})` : ''}${selection(field.type, 2)} }`;
  const positions = field.args.flatMap((a) => positionsOf(a.type, [a.name], new Set()));
  return { name: root.name, operation: root.operation, field, document, baseline, positions };
}

/** The root field's arguments in an example call, as plain JSON values. */
function argumentsOf(example: { query: string; variables?: Record<string, unknown> }, fieldName: string) {
  const doc = parse(example.query);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const node = op?.selectionSet.selections.find((s) => s.kind === Kind.FIELD && s.name.value === fieldName);
  const out: Record<string, unknown> = {};
  if (node?.kind !== Kind.FIELD) return out;
  for (const a of node.arguments ?? []) out[a.name.value] = valueFromASTUntyped(a.value, example.variables);
  return out;
}

/** Every scalar or enum position under an input type; lists contribute their first item. */
function positionsOf(type: GraphQLInputType, path: Path, seen: Set<string>): Position[] {
  if (isNonNullType(type)) return positionsOf(type.ofType, path, seen);
  if (isListType(type)) return positionsOf(type.ofType, [...path, 0], seen);
  if (isInputObjectType(type)) {
    if (seen.has(type.name)) return [];
    const inner = new Set([...seen, type.name]);
    return Object.values(type.getFields()).flatMap((f) => positionsOf(f.type, [...path, f.name], inner));
  }
  return [{ path, type }];
}

/** A value of the type with every required part filled in. */
export function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [sample(type.ofType)];
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) if (isNonNullType(f.type)) out[f.name] = sample(f.type);
    return out;
  }
  return sampleFor(type.name, isEnumType(type) ? type.getValues().map((v) => v.name) : []);
}

/** The baseline with `value` at `path`, creating the objects and lists on the way. */
export function withValue(
  args: readonly GraphQLArgument[],
  baseline: Record<string, unknown>,
  path: Path,
  value: unknown,
): Record<string, unknown> {
  const [name, ...rest] = path as [string, ...Path];
  const arg = args.find((a) => a.name === name)!;
  return { ...baseline, [name]: setIn(structuredClone(baseline[name]), arg.type, rest, value) };
}

function setIn(current: unknown, type: GraphQLInputType, rest: Path, value: unknown): unknown {
  if (rest.length === 0) return value;
  const t = isNonNullType(type) ? type.ofType : type;
  const [key, ...tail] = rest as [string | number, ...Path];
  if (isListType(t)) {
    const list = Array.isArray(current) && current.length ? [...current] : [sample(t.ofType)];
    list[key as number] = setIn(list[key as number], t.ofType, tail, value);
    return list;
  }
  if (isInputObjectType(t)) {
    const obj = (
      current && typeof current === 'object' && !Array.isArray(current) ? { ...current } : sample(t)
    ) as Record<string, unknown>;
    obj[key as string] = setIn(obj[key as string], t.getFields()[key as string]!.type, tail, value);
    return obj;
  }
  return value;
}

/**
 * A selection of the return type, `depth` levels deep: leaves without required arguments,
 * `__typename` everywhere, every member of a union and the `Error` fields.
 */
function selection(type: GraphQLOutputType, depth: number): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (isUnionType(named)) {
    const members = named.getTypes().map((m) => `... on ${m.name} ${objectSelection(m, depth)}`);
    return ` { __typename ${members.join(' ')} }`;
  }
  if (isInterfaceType(named)) return ' { __typename }';
  return ` ${objectSelection(named as GraphQLObjectType, depth)}`;
}

function objectSelection(type: GraphQLObjectType, depth: number): string {
  if (!isObjectType(type)) return '{ __typename }';
  const parts = ['__typename'];
  for (const f of Object.values(type.getFields())) {
    if (f.args.some((a) => isNonNullType(a.type))) continue;
    const named = getNamedType(f.type);
    if (isLeafType(named)) parts.push(f.name);
    else if (depth > 1) parts.push(`${f.name}${selection(f.type, depth - 1)}`);
  }
  return `{ ${parts.join(' ')} }`;
}
