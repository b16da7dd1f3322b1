import { describe, expect, it } from 'vitest';
import { CliError } from './errors.js';
import { parseFields, select } from './fields.js';

describe('--fields', () => {
  const rows = [
    { id: 'a', status: 'DRAFT', sla: { responseDueAt: 't1' } },
    { id: 'b', status: 'OPEN', sla: { responseDueAt: 't2' } },
  ];
  it('keeps the fields named, nested ones by their dotted path, in the order given', () => {
    expect(select(rows, parseFields('status, id,sla.responseDueAt'))).toEqual([
      { status: 'DRAFT', id: 'a', 'sla.responseDueAt': 't1' },
      { status: 'OPEN', id: 'b', 'sla.responseDueAt': 't2' },
    ]);
    expect(select(rows[0], ['id'])).toEqual({ id: 'a' });
    expect(select(rows, undefined)).toBe(rows);
  });
  it('refuses a field that was not fetched, naming those that were', () => {
    expect(() => select(rows, ['nope'])).toThrow(CliError);
    expect(() => select(rows, ['nope'])).toThrow(/available: id, status, sla, sla\.responseDueAt/);
    expect(() => parseFields(' , ')).toThrow(/at least one/);
  });
});
