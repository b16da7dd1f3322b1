import { configSchema } from '@guichet/core';
import type { z } from 'zod';

/**
 * Every variable Guichet's configuration reads: the keys of each config schema, found through
 * the wrappers zod puts around an object (refine, transform, pipe, default…). The list of
 * schemas is the one place to extend when configuration is read from more than one: core's
 * platform fragment, then each composed line's fragment.
 */
export const CONFIG_SCHEMAS: z.ZodType[] = [configSchema];

function objectKeys(schema: z.ZodType, depth = 0): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  if (def.type === 'object') return Object.keys(def.shape as Record<string, unknown>);
  if (depth > 8) return [];
  for (const inner of ['in', 'innerType', 'schema']) {
    if (def[inner]) return objectKeys(def[inner] as z.ZodType, depth + 1);
  }
  return [];
}

export function configVariables(schemas: z.ZodType[] = CONFIG_SCHEMAS): string[] {
  return [...new Set(schemas.flatMap((s) => objectKeys(s)))];
}
