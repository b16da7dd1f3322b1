import { ValidationError } from '@guichet/core';

/**
 * Host/domain names as DNS operators write them: letters, digits and hyphens per label
 * (RFC 1035 LDH; `xn--` A-labels for IDNs), labels 1–63 octets, name ≤ 253, no leading or
 * trailing hyphen, at least two labels, a final dot tolerated and dropped, lower-cased.
 * Underscore labels are refused: they name services, never hosts or zones.
 */
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function parseDomainName(text: string, path: (string | number)[] = []): string {
  const name = text.trim().toLowerCase().replace(/\.$/, '');
  const fail = (why: string) => ValidationError.field(path, `"${text}" is not a domain name: ${why}`);
  if (!name) throw fail('empty');
  if (name.length > 253) throw fail('longer than 253 characters');
  const labels = name.split('.');
  if (labels.length < 2) throw fail('needs at least two labels');
  for (const l of labels) {
    if (!LABEL.test(l)) throw fail(`bad label "${l}"`);
    if (/^..--/.test(l) && !l.startsWith('xn--')) throw fail(`label "${l}" has hyphens in positions 3–4`);
  }
  if (/^\d+$/.test(labels.at(-1)!)) throw fail('the top-level label cannot be numeric');
  return name;
}

// The WHATWG "valid email address" production: what browsers accept in type=email fields,
// strict enough to refuse "x" and "a@b", without trying to implement all of RFC 5322.
const LOCAL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/;

export function parseEmailAddress(text: string, path: (string | number)[] = []): string {
  const t = text.trim();
  const at = t.lastIndexOf('@');
  const fail = () => ValidationError.field(path, `"${text}" is not an email address`);
  if (at < 1) throw fail();
  const local = t.slice(0, at);
  if (!LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..'))
    throw fail();
  let domain: string;
  try {
    domain = parseDomainName(t.slice(at + 1), path);
  } catch {
    throw fail();
  }
  return `${local}@${domain}`;
}
