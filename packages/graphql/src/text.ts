/**
 * What every text value crossing the GraphQL boundary must satisfy, whatever field it is for.
 * PostgreSQL refuses NUL in text and lone surrogates in json, and a free-text field without a
 * bound lets one request store megabytes; so these are checked once, here, for every String
 * input of every line (see input-guard.ts), instead of in each resolver.
 */

/** The limit of a String input that states none; `maxLength` on the field raises it. */
export const DEFAULT_MAX_LENGTH = 256;

// C0 controls except TAB, LF and CR (multi-line text keeps its lines), DEL, and the C1 block.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `value` is not acceptable text of at most `max` characters, or undefined if it is. */
export function textProblem(value: string, max: number): string | undefined {
  // Code points, as a person counts characters (an emoji is one); the UTF-16 length bounds it
  // from above, so the cheap test settles almost every value.
  if (value.length > max && countCodePoints(value, max) > max) return `is longer than ${max} characters`;
  const control = CONTROL.exec(value);
  if (control) {
    const code = control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return `contains the control character U+${code}, which is not allowed`;
  }
  if (LONE_SURROGATE.test(value)) return 'contains an unpaired UTF-16 surrogate (not valid Unicode)';
  return undefined;
}

/** Counts code points, stopping once past `stop` (a 1 MB value is not walked to the end). */
function countCodePoints(value: string, stop: number): number {
  let n = 0;
  for (const _ of value) if (++n > stop) break;
  return n;
}

/** Text inside any JSON value (keys included): the same rules, without a length bound. */
export function jsonTextProblem(value: unknown, path: (string | number)[] = []): string | undefined {
  if (typeof value === 'string') {
    const p = textProblem(value, Number.POSITIVE_INFINITY);
    return p && `${path.join('.') || 'value'} ${p}`;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const p = jsonTextProblem(v, [...path, i]);
      if (p) return p;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = jsonTextProblem(k, [...path, '(key)']) ?? jsonTextProblem(v, [...path, k]);
      if (p) return p;
    }
  }
  return undefined;
}

/**
 * Shortens the values a message quotes, so an error never echoes a megabyte back: every
 * quoted run longer than `keep` characters is cut, and the whole message is bounded.
 */
export function truncateEcho(message: string, keep = 64, total = 1000): string {
  if (message.length <= keep + 16) return message;
  // A plain scan rather than a regular expression: the text may be megabytes long.
  let out = '';
  let i = 0;
  while (i < message.length) {
    const open = message.indexOf('"', i);
    if (open < 0) break;
    let close = open + 1;
    while (close < message.length && message[close] !== '"') close += message[close] === '\\' ? 2 : 1;
    if (close >= message.length) break;
    const inner = message.slice(open + 1, close);
    out += message.slice(i, open + 1);
    out += inner.length > keep ? `${sliceChars(inner, keep)}…" (${inner.length} characters)` : `${inner}"`;
    i = close + 1;
    if (out.length > total) break;
  }
  out += message.slice(i, i + total);
  return out.length > total ? `${sliceChars(out, total)}…` : out;
}

/** A value to quote in a message: at most `keep` characters, marked when cut. */
export function shorten(value: string, keep = 64): string {
  return value.length > keep ? `${sliceChars(value, keep)}… (${value.length} characters)` : value;
}

/** The first `n` UTF-16 units, without splitting a surrogate pair. */
function sliceChars(s: string, n: number): string {
  const head = s.slice(0, n);
  return /[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head;
}
