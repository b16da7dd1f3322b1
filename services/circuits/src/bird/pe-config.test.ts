import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@guichet/core';
import { describe, expect, it } from 'vitest';
import { empty, hubAndSpoke, mesh } from '../test/pe-inputs.js';
import { birdParse } from './check.js';
import { type PeConfigInput, renderPeConfig } from './pe-config.js';

/**
 * Golden files (exact text: the comments carry the RD/RT and limits the NOC reads) and BIRD's
 * own parser on every one. `UPDATE_GOLDEN=1` rewrites them.
 */
const DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');
function golden(name: string, actual: string): string {
  const file = join(DIR, `${name}.conf`);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  return readFileSync(file, 'utf8');
}

const CASES: [string, PeConfigInput][] = [
  ['mesh', mesh],
  ['hub-and-spoke', hubAndSpoke],
  ['empty', empty],
];

describe('PE configuration generator', () => {
  it.each(CASES)('%s matches its golden file and passes bird -p', async (name, input) => {
    const text = renderPeConfig(input);
    expect(text).toBe(golden(name, text));
    expect(await birdParse(text)).toEqual({ ok: true, errors: [] });
  });

  it('is deterministic whatever the input order', () => {
    const shuffled: PeConfigInput = {
      ...hubAndSpoke,
      vpns: [...hubAndSpoke.vpns].reverse().map((v) => ({ ...v, sites: [...v.sites].reverse() })),
    };
    expect(renderPeConfig(shuffled)).toBe(renderPeConfig(hubAndSpoke));
  });

  it('puts the limit on every session and no filter inside a mesh VPN', () => {
    const text = renderPeConfig(mesh);
    expect(text.match(/import limit \d+ action restart;/g)).toEqual([
      'import limit 100 action restart;',
      'import limit 50 action restart;',
    ]);
    expect(text).not.toMatch(/^\s*(import|export) (filter|where|none)|reject/m);
    expect(text).not.toMatch(/protocol pipe|master4/);
  });

  it.each([
    ['an IPv6 session', { peerAddress: '2001:660::1' }, /IPv6 is not supported yet/],
    ['a bad name', { name: 'Bad-Name' }, /not a BIRD name/],
    ['a zero limit', { importLimit: 0 }, /between 1 and/],
    ['a quote in a label', { label: 'a"b' }, /without quotes/],
  ])('refuses %s', (_n, over, why) => {
    const bad: PeConfigInput = {
      ...mesh,
      vpns: [{ ...mesh.vpns[0]!, sites: [{ ...mesh.vpns[0]!.sites[0]!, ...over }] }],
    };
    expect(() => renderPeConfig(bad)).toThrow(ValidationError);
    expect(() => renderPeConfig(bad)).toThrow(why);
  });

  it('refuses a hub-and-spoke site without its role, and an RD that is not one', () => {
    const vpn = hubAndSpoke.vpns[0]!;
    const noRole = { ...hubAndSpoke, vpns: [{ ...vpn, sites: [{ ...vpn.sites[0]!, role: undefined }] }] };
    expect(() => renderPeConfig(noRole)).toThrow(/hub or spoke/);
    expect(() => renderPeConfig({ ...mesh, vpns: [{ ...mesh.vpns[0]!, rd: '70000:70000' }] })).toThrow(
      /NUMBER_RANGE|beyond/,
    );
  });

  it('BIRD itself refuses what the generator would never write', async () => {
    const r = await birdParse(`${renderPeConfig(mesh)}\nprotocol bgp s_cir_000042_univ_a_site_1 {}\n`);
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toMatch(/already defined/);
  });
});
