import { ValidationError } from '@guichet/core';
import { describe, expect, it } from 'vitest';
import { routeObjectsFor } from './rpsl-routes.js';

describe('routeObjectsFor', () => {
  it('an IPv4 route object as RIPE prints it, with ROA advice at the prefix length', () => {
    const r = routeObjectsFor({
      prefix: '193.48.0.0/22',
      originAs: 2200,
      mntBy: ['RENATER-MNT', 'UNIV-A-MNT'],
      source: 'ripe',
      descr: 'Universite A\ncampus network',
    });
    expect(r.type).toBe('route');
    expect(r.text).toBe(
      [
        'route:          193.48.0.0/22',
        'descr:          Universite A',
        'descr:          campus network',
        'origin:         AS2200',
        'mnt-by:         RENATER-MNT',
        'mnt-by:         UNIV-A-MNT',
        'source:         RIPE',
        '',
      ].join('\n'),
    );
    expect(r.roa).toEqual({ prefix: '193.48.0.0/22', maxLength: 22, asn: 2200 });
  });

  it('an IPv6 route6 object, canonical prefix, no descr', () => {
    const r = routeObjectsFor({
      prefix: '2001:0660:3000::/40',
      originAs: 65001,
      mntBy: ['univ-a-mnt'],
      source: 'RIPE',
    });
    expect(r.type).toBe('route6');
    expect(r.attributes).toEqual([
      ['route6', '2001:660:3000::/40'],
      ['origin', 'AS65001'],
      ['mnt-by', 'UNIV-A-MNT'],
      ['source', 'RIPE'],
    ]);
    expect(r.text.split('\n')[0]).toBe('route6:         2001:660:3000::/40');
    expect(r.roa).toEqual({ prefix: '2001:660:3000::/40', maxLength: 40, asn: 65001 });
  });

  it('a 32-bit origin AS', () => {
    expect(
      routeObjectsFor({ prefix: '194.57.0.0/16', originAs: 4200000001, mntBy: ['X-MNT'], source: 'RIPE' })
        .text,
    ).toContain('origin:         AS4200000001\n');
  });

  it('refuses bad input', () => {
    const ok = { prefix: '193.48.0.0/22', originAs: 2200, mntBy: ['X-MNT'], source: 'RIPE' };
    expect(() => routeObjectsFor({ ...ok, prefix: '193.48.0.1/22' })).toThrow(ValidationError);
    expect(() => routeObjectsFor({ ...ok, originAs: 0 })).toThrow(ValidationError);
    expect(() => routeObjectsFor({ ...ok, originAs: 4294967296 })).toThrow(ValidationError);
    expect(() => routeObjectsFor({ ...ok, mntBy: [] })).toThrow(/maintainer/);
    expect(() => routeObjectsFor({ ...ok, mntBy: ['bad mnt'] })).toThrow(ValidationError);
    expect(() => routeObjectsFor({ ...ok, source: 'RI PE' })).toThrow(ValidationError);
    expect(() => routeObjectsFor({ ...ok, descr: 'a # comment' })).toThrow(ValidationError);
  });
});
