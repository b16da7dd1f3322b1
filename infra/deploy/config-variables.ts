import { LINES } from '@guichet/compose';
import { configSchema, configVariables as variablesOf } from '@guichet/core';

/**
 * Every variable Guichet reads: the platform's (core) and each composed line's fragment. A new
 * line in the composition list brings its variables here by itself.
 */
export function configVariables(): string[] {
  return [...new Set([configSchema, ...LINES.map((l) => l.config)].flatMap((s) => variablesOf(s)))];
}
