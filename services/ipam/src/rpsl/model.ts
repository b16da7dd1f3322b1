import { ValidationError } from '@guichet/core';
import { parsePrefix } from '@guichet/net';
import { formatRange, parseInetnumKey } from './range.js';

/**
 * RPSL objects as the RIPE database holds them, and their text form. Pure: no I/O.
 *
 * Values are kept "clean" the way whois compares them (RpslAttribute.getCleanValue):
 * end-of-line comments dropped, continuation lines joined, runs of whitespace collapsed.
 * That loses the original layout of a multi-line `descr`, which is fine: the database itself
 * treats two objects differing only in layout as identical.
 */

export const RPSL_TYPES = ['inetnum', 'inet6num', 'route', 'route6'] as const;
export type RpslType = (typeof RPSL_TYPES)[number];

export interface RpslAttribute {
  name: string;
  value: string;
}

export interface RpslObject {
  type: RpslType;
  attributes: RpslAttribute[];
}

export function isRpslType(name: string): name is RpslType {
  return (RPSL_TYPES as readonly string[]).includes(name);
}

/** Every value of `name` in order (names compare case-insensitively, as in whois). */
export function rpslValues(obj: RpslObject, name: string): string[] {
  const n = name.toLowerCase();
  return obj.attributes.filter((a) => a.name.toLowerCase() === n).map((a) => a.value);
}

export function rpslValue(obj: RpslObject, name: string): string | undefined {
  return rpslValues(obj, name)[0];
}

/**
 * The primary key in the form the REST API puts in the URL: the first attribute's value for
 * inet(6)num, prefix + origin concatenated for route(6) (`193.0.0.0/21AS3333`), as whois does.
 */
export function primaryKey(obj: RpslObject): string {
  const first = obj.attributes[0]?.value ?? '';
  if (obj.type === 'route' || obj.type === 'route6') return `${first}${rpslValue(obj, 'origin') ?? ''}`;
  return first;
}

/**
 * A key that compares equal for the same resource however it was typed: inetnum ranges
 * re-spaced (a CIDR key becomes its range, as RIPE converts it), IPv6 prefixes in RFC 5952
 * form, AS numbers upper-cased. Unparsable keys fall back to trimmed lower case so a
 * comparison still happens rather than a throw deep inside a report.
 */
export function normalisedKey(obj: RpslObject): string {
  const first = (obj.attributes[0]?.value ?? '').trim();
  try {
    switch (obj.type) {
      case 'inetnum':
        return `inetnum:${formatRange(parseInetnumKey(first))}`;
      case 'inet6num': {
        const p = parsePrefix(first);
        return `inet6num:${p.address}/${p.length}`;
      }
      default: {
        const p = parsePrefix(first);
        return `${obj.type}:${p.address}/${p.length}${(rpslValue(obj, 'origin') ?? '').trim().toUpperCase()}`;
      }
    }
  } catch {
    return `${obj.type}:${primaryKey(obj).trim().toLowerCase()}`;
  }
}

// whois pads "name:" to 16 columns (RpslAttribute.LEADING_CHARS) and continuation lines too.
const COLUMN = 16;

/** One object as the RIPE database prints it, ending with a newline. */
export function renderRpsl(obj: RpslObject): string {
  let out = '';
  for (const { name, value: v } of obj.attributes) {
    const head = `${name.toLowerCase()}:`;
    const [first = '', ...rest] = v.split('\n');
    out += first === '' ? head : head + ' '.repeat(Math.max(COLUMN - head.length, 1)) + first;
    out += '\n';
    for (const line of rest) out += line.trim() === '' ? '+\n' : `${' '.repeat(COLUMN)}${line.trim()}\n`;
  }
  return out;
}

/** Several objects separated by blank lines: the split-file layout. */
export function renderRpslObjects(objs: RpslObject[]): string {
  return objs.map(renderRpsl).join('\n');
}

const ATTRIBUTE_LINE = /^([A-Za-z0-9][A-Za-z0-9_-]*):(.*)$/;

function lineError(line: number, message: string): ValidationError {
  return new ValidationError(`line ${line}: ${message}`, [{ path: ['line', line], message }]);
}

/** Drops an end-of-line comment and collapses whitespace, one physical line at a time. */
function cleanSegment(segment: string): string {
  const hash = segment.indexOf('#');
  return (hash >= 0 ? segment.slice(0, hash) : segment).replace(/\s+/g, ' ').trim();
}

export interface ParseOptions {
  /**
   * Objects of other types (person, mntner… in a full dump) are refused by default: an import
   * that silently drops part of its input is worse than one that stops and says where.
   */
  skipOtherTypes?: boolean;
}

interface Pending {
  line: number;
  attrs: { name: string; segments: string[] }[];
}

/**
 * Parses RPSL text in the RIPE split-file format: objects separated by blank lines, `#` and
 * `%` comment lines, continuation lines starting with whitespace or `+`, case-insensitive
 * attribute names, end-of-line `#` comments. Anything else is a ValidationError naming the line.
 */
export function parseRpsl(text: string, options: ParseOptions = {}): RpslObject[] {
  const objects: RpslObject[] = [];
  let cur: Pending | undefined;

  const flush = () => {
    if (!cur) return;
    const type = cur.attrs[0]?.name ?? '';
    if (!isRpslType(type)) {
      if (!options.skipOtherTypes) {
        throw lineError(cur.line, `object type "${type}" is not one of ${RPSL_TYPES.join(', ')}`);
      }
    } else {
      const attributes = cur.attrs.map((a) => ({
        name: a.name,
        value: a.segments
          .map(cleanSegment)
          .filter((s) => s !== '')
          .join(' '),
      }));
      if (attributes[0]?.value === '') throw lineError(cur.line, `"${type}:" has no value`);
      objects.push({ type, attributes });
    }
    cur = undefined;
  };

  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const n = i + 1;
    if (raw.trim() === '') {
      flush();
      continue;
    }
    if (raw.startsWith('#') || raw.startsWith('%')) continue;
    if (raw.startsWith(' ') || raw.startsWith('\t') || raw.startsWith('+')) {
      const last = cur?.attrs.at(-1);
      if (!last) throw lineError(n, 'continuation line outside an attribute');
      last.segments.push(raw.slice(1));
      continue;
    }
    const m = ATTRIBUTE_LINE.exec(raw);
    if (!m?.[1] || m[2] === undefined)
      throw lineError(n, `expected "attribute: value", got "${raw.slice(0, 40)}"`);
    cur ??= { line: n, attrs: [] };
    cur.attrs.push({ name: m[1].toLowerCase(), segments: [m[2]] });
  }
  flush();
  return objects;
}
