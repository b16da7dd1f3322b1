import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type { Config } from '@guichet/core';
import {
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  parse,
  print,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Query limits, each refusal with a stable `extensions.code` and a plain message. The checks
 * run in a fixed order and the first one exceeded is the one reported, so a very deep query is
 * called too deep (not too costly, which it also is):
 *
 *   tokens (while parsing) → depth → aliases → directives → introspection → cost.
 *
 * graphql-armor measures depth, aliases, directives and cost; here its thresholds are set out of
 * reach and the measures collected, so that the order and the wording are ours.
 *
 * Introspection: the structure of `__schema` is left out of depth and cost (the standard
 * introspection query is depth 21, cost 87,000), but each `__schema` adds a fixed
 * `INTROSPECTION_COST` to the operation, an operation holds at most one, and a type reached
 * through `type`/`ofType` may only be named — which is all the standard query does, and what
 * stops `fields { type { fields { type … } } }` from multiplying the answer. Answers to
 * introspection-only operations are cached (the schema does not change while the process runs).
 */

export const LIMIT_CODES = {
  tokens: 'TOO_MANY_TOKENS',
  depth: 'QUERY_TOO_DEEP',
  aliases: 'TOO_MANY_ALIASES',
  directives: 'TOO_MANY_DIRECTIVES',
  introspections: 'TOO_MANY_INTROSPECTIONS',
  introspectionShape: 'INTROSPECTION_TOO_NESTED',
  cost: 'QUERY_TOO_COSTLY',
} as const;

/** What one full introspection weighs in the cost budget (it answers ~150 kB). */
export const INTROSPECTION_COST = 1000;
export const MAX_INTROSPECTIONS = 1;
export const MAX_DIRECTIVES = 20;

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);
// Fields of __Type that expand into more types: on a mere reference they multiply the answer.
const EXPANDING = new Set(['fields', 'inputFields', 'enumValues', 'interfaces', 'possibleTypes']);
// Fields that lead to a type by reference; the standard query only names what they lead to.
const REFERENCES = new Set(['type', 'ofType', 'interfaces', 'possibleTypes']);

function limitError(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

interface Measures {
  depth?: number;
  aliases?: number;
  directives?: number;
  cost?: number;
}

export function queryLimits(config: Config): Plugin {
  const measures = new WeakMap<ValidationContext, Measures>();
  const collect = (key: keyof Measures) => ({
    propagateOnRejection: false,
    onAccept: [
      (context: ValidationContext | null, { n }: { n: number }) => {
        if (!context) return;
        const m = measures.get(context) ?? {};
        m[key] = n;
        measures.set(context, m);
      },
    ],
  });
  const rules = [
    maxDepthRule({ n: Number.POSITIVE_INFINITY, ...collect('depth') }),
    maxAliasesRule({ n: Number.POSITIVE_INFINITY, ...collect('aliases') }),
    maxDirectivesRule({ n: Number.POSITIVE_INFINITY, ...collect('directives') }),
    costLimitRule({ maxCost: Number.POSITIVE_INFINITY, ...collect('cost') }),
    // Last: its `enter` runs after the others have measured the same operation.
    (context: ValidationContext): ASTVisitor => ({
      OperationDefinition: {
        enter(operation) {
          const m = measures.get(context) ?? {};
          measures.delete(context);
          const error = firstExceeded(config, m, introspectionOf(operation, context));
          if (error) context.reportError(error);
        },
      },
    }),
  ];
  const maxTokens = config.GRAPHQL_MAX_TOKENS;
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parse(source, { ...options, maxTokens });
        } catch (e) {
          if (e instanceof GraphQLError && /contains more th(?:an|at) \d+ tokens/.test(e.message)) {
            throw limitError(LIMIT_CODES.tokens, `The query has more than ${maxTokens} tokens.`);
          }
          throw e;
        }
      });
    },
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule as never);
    },
  };
}

function firstExceeded(config: Config, m: Measures, intro: Introspection): GraphQLError | undefined {
  const depth = m.depth ?? 0;
  if (depth > config.GRAPHQL_MAX_DEPTH) {
    return limitError(
      LIMIT_CODES.depth,
      `The query is nested ${depth} levels deep; at most ${config.GRAPHQL_MAX_DEPTH} are allowed.`,
    );
  }
  const aliases = m.aliases ?? 0;
  if (aliases > config.GRAPHQL_MAX_ALIASES) {
    return limitError(
      LIMIT_CODES.aliases,
      `The query uses ${aliases} aliases; at most ${config.GRAPHQL_MAX_ALIASES} are allowed.`,
    );
  }
  const directives = m.directives ?? 0;
  if (directives > MAX_DIRECTIVES) {
    return limitError(
      LIMIT_CODES.directives,
      `The query uses ${directives} directives; at most ${MAX_DIRECTIVES} are allowed.`,
    );
  }
  if (intro.schemas > MAX_INTROSPECTIONS) {
    return limitError(
      LIMIT_CODES.introspections,
      `The query asks for __schema ${intro.schemas} times; at most ${MAX_INTROSPECTIONS} is allowed per operation.`,
    );
  }
  if (intro.nested) {
    return limitError(
      LIMIT_CODES.introspectionShape,
      `Introspection may only name the type a field or argument refers to (kind, name, ofType); ask for its ${intro.nested} through __type or __schema.types instead.`,
    );
  }
  const cost = Math.ceil((m.cost ?? 0) + intro.schemas * INTROSPECTION_COST);
  if (cost > config.GRAPHQL_MAX_COST) {
    return limitError(
      LIMIT_CODES.cost,
      `The query's estimated cost is ${cost}; at most ${config.GRAPHQL_MAX_COST} is allowed.`,
    );
  }
  return undefined;
}

interface Introspection {
  schemas: number;
  /** The expanding field found on a type reference, if any. */
  nested?: string;
}

function introspectionOf(operation: OperationDefinitionNode, context: ValidationContext): Introspection {
  const out: Introspection = { schemas: 0 };
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined, inIntrospection: boolean, onReference: boolean) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        const name = s.name.value;
        if (name === '__schema') out.schemas++;
        const inside = inIntrospection || INTROSPECTION_ROOTS.has(name);
        if (inside && onReference && EXPANDING.has(name)) out.nested ??= name;
        walk(s.selectionSet, inside, inside && (onReference || REFERENCES.has(name)));
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        walk(s.selectionSet, inIntrospection, onReference);
      } else {
        // A fragment is walked once per operation; spreading it again adds no new shape.
        if (seen.has(s.name.value)) continue;
        seen.add(s.name.value);
        const fragment: FragmentDefinitionNode | null | undefined = context.getFragment(s.name.value);
        walk(fragment?.selectionSet, inIntrospection, onReference);
      }
    }
  };
  walk(operation.selectionSet, false, false);
  return out;
}

/** An operation made only of introspection (and `__typename`) at its root. */
export function isIntrospectionOnly(document: DocumentNode, operationName?: string | null): boolean {
  const ops = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const op = operationName ? ops.find((o) => o.name?.value === operationName) : ops[0];
  if (!op || op.operation !== 'query') return false;
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])),
  );
  const onlyIntrospection = (set: SelectionSetNode, seen: Set<string>): boolean =>
    set.selections.every((s) => {
      if (s.kind === Kind.FIELD) return s.name.value.startsWith('__');
      if (s.kind === Kind.INLINE_FRAGMENT) return onlyIntrospection(s.selectionSet, seen);
      const f = fragments.get(s.name.value);
      if (!f || seen.has(s.name.value)) return !!f;
      return onlyIntrospection(f.selectionSet, new Set([...seen, s.name.value]));
    });
  return onlyIntrospection(op.selectionSet, new Set());
}

/**
 * Answers introspection-only operations from memory: the schema is fixed for the life of the
 * process, and an introspection is the largest answer the api gives. Bounded (least recently
 * used out first).
 */
export function introspectionCache(size = 64, onHit: () => void = () => {}): Plugin {
  const cache = new Map<string, unknown>();
  // Documents come from yoga's parse cache, so the walk is done once per document, not per call.
  const verdicts = new WeakMap<DocumentNode, Map<string, boolean>>();
  const introspectionOnly = (document: DocumentNode, operationName?: string | null) => {
    let byName = verdicts.get(document);
    if (!byName) {
      byName = new Map();
      verdicts.set(document, byName);
    }
    let verdict = byName.get(operationName ?? '');
    if (verdict === undefined) {
      verdict = isIntrospectionOnly(document, operationName);
      byName.set(operationName ?? '', verdict);
    }
    return verdict;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (!introspectionOnly(args.document, args.operationName)) return;
      const key = JSON.stringify([
        args.document.loc?.source.body ?? print(args.document),
        args.operationName ?? null,
        args.variableValues ?? null,
      ]);
      const hit = cache.get(key);
      if (hit) {
        cache.delete(key);
        cache.set(key, hit);
        onHit();
        setResultAndStopExecution(hit as never);
        return;
      }
      return {
        onExecuteDone({ result }) {
          if (Symbol.asyncIterator in result) return;
          if (!result.errors?.length) {
            cache.set(key, result);
            if (cache.size > size) cache.delete(cache.keys().next().value as string);
          }
        },
      };
    },
  };
}
