import { describe, expect, it } from 'vitest';
import { parseCsv, parseRows, toPrefixItem } from './rows.js';

describe('apply rows', () => {
  it('reads CSV with quotes, doubled quotes, CRLF and blank lines', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\r\n\r\n1,\n')).toEqual([
      { a: 'x, y', b: 'say "hi"' },
      { a: '1', b: '' },
    ]);
    expect(() => parseCsv('a\n"open')).toThrow(/unterminated/);
  });

  it('reads YAML and JSON lists, or { items }, and refuses anything else with a usage error', () => {
    expect(parseRows('- { purpose: a }\n', 'f.yaml')).toEqual([{ purpose: 'a' }]);
    expect(parseRows('{"items":[{"purpose":"a"}]}', 'f.json')).toEqual([{ purpose: 'a' }]);
    expect(() => parseRows('[1]', 'f.json')).toThrow(/item 1 is not an object/);
    expect(() => parseRows('{', 'f.json')).toThrow(/f\.json/);
  });

  it('keys a row by its `key`, else by its content (same row, same key; any change, another)', () => {
    const row = { institution: 'i', family: '6', length: '48', purpose: 'p' };
    const a = toPrefixItem(row);
    expect(a).toMatchObject({ input: { institutionId: 'i', family: 'IPV6', length: 48, purpose: 'p' } });
    expect(toPrefixItem({ purpose: 'p', length: 48, family: 6, institution: 'i' })).toEqual(a);
    expect(toPrefixItem({ ...row, purpose: 'q' })).not.toEqual(a);
    expect(toPrefixItem({ ...row, key: 'k1' })).toMatchObject({ idempotencyKey: 'k1' });
    expect(toPrefixItem({ ...row, family: 'ipv4', submit: 'no' })).toMatchObject({
      input: { family: 'IPV4', submit: false },
    });
    expect(toPrefixItem({ ...row, family: '5' })).toEqual({ error: 'family: "5" is not 4 or 6' });
  });
});
