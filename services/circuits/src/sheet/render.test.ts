import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderSheet, type SheetInput } from './render.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');
function golden(name: string, actual: string): string {
  const file = join(DIR, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  return readFileSync(file, 'utf8');
}

const port = (name: string, mode = 'shared', speedMbps = 10000) => ({ name, speedMbps, mode, l2Mtu: 9216 });

const SHEET: SheetInput = {
  device: { name: 'cae1-acc1', pop: 'CAE1', routerId: '193.51.190.1' },
  services: [
    {
      reference: 'CIR-000043',
      name: 'Lab to lab',
      technology: 'l2vpn_port',
      state: 'active',
      bandwidthMbps: 1000,
      payloadMtu: 1500,
      rd: '2200:1002',
      routeTargets: ['2200:1002'],
      ends: [
        {
          path: 'primary',
          site: 'UNIV-A / Labo',
          port: port('xe-0/0/9', 'dedicated'),
          vid: null,
          cvlans: [],
          tags: 1,
          segment: null,
          remote: {
            device: 'par1-acc1',
            routerId: '193.51.180.1',
            port: 'xe-1/0/0',
            vid: null,
            site: 'UNIV-A / Paris',
          },
        },
      ],
    },
    {
      reference: 'CIR-000042',
      name: 'Campus link',
      technology: 'l2vpn_vlan',
      state: 'provisioning',
      bandwidthMbps: 200,
      payloadMtu: 1500,
      rd: '2200:1001',
      routeTargets: ['2200:1001'],
      ends: [
        {
          path: 'primary',
          site: 'UNIV-A / Site 2',
          port: port('xe-0/0/4'),
          vid: 2000,
          cvlans: [10, 11, 12, 20],
          tags: 2,
          segment: {
            regionalNetwork: 'SYRHANO',
            operator: 'Région Normandie',
            handoff: 'caen',
            providerCircuitId: 'SYR-7781',
            operatorReference: 'TT#2026-118',
            localVid: 2000,
            remoteVid: 712,
            l2Mtu: 1508,
            extraTags: 0,
            state: 'ordered',
          },
          remote: {
            device: 'cae1-acc1',
            routerId: '193.51.190.1',
            port: 'xe-0/0/1',
            vid: 100,
            site: 'UNIV-A / Site 1',
          },
        },
        {
          path: 'primary',
          site: 'UNIV-A / Site 1',
          port: port('xe-0/0/1'),
          vid: 100,
          cvlans: [10, 11, 12, 20],
          tags: 2,
          segment: null,
          remote: {
            device: 'cae1-acc1',
            routerId: '193.51.190.1',
            port: 'xe-0/0/4',
            vid: 2000,
            site: 'UNIV-A / Site 2',
          },
        },
      ],
    },
  ],
};

describe('provisioning sheet', () => {
  it('matches its golden file', () => {
    const text = renderSheet(SHEET);
    expect(text).toBe(golden('cae1-acc1', text));
  });
  it('is the same whatever the order of services and ends', () => {
    const shuffled = {
      ...SHEET,
      services: [...SHEET.services].reverse().map((s) => ({ ...s, ends: [...s.ends].reverse() })),
    };
    expect(renderSheet(shuffled)).toBe(renderSheet(SHEET));
  });
  it('says so when a port is too small for what it carries', () => {
    const small = structuredClone(SHEET);
    small.services[1]!.ends[0]!.port.l2Mtu = 1504;
    expect(renderSheet(small)).toMatch(
      /L2 MTU {4}1508 needed \(payload 1500 \+ 2 × 4\) {2}\*\* PORT TOO SMALL \*\*/,
    );
  });
});
