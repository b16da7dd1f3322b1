import type { PeConfigInput } from '../bird/pe-config.js';

/** Inputs of the PE generator for golden files and `bird -p` (private space: fine in a VPN). */

export const mesh: PeConfigInput = {
  device: { name: 'par1-pe1', routerId: '193.51.180.1', asn: 2200 },
  vpns: [
    {
      name: 'cir_000042',
      label: 'CIR-000042 Recherche',
      rd: '2200:1001',
      routeTargets: { both: '2200:1001' },
      sites: [
        // Listed out of order: the output is sorted.
        {
          name: 's_cir_000042_univ_b_site_1',
          label: 'UNIV-B / Site 1',
          localAddress: '10.255.0.2',
          peerAddress: '10.255.0.3',
          peerAsn: 65002,
          importLimit: 50,
        },
        {
          name: 's_cir_000042_univ_a_site_1',
          label: 'UNIV-A / Site 1',
          localAddress: '10.255.0.0',
          peerAddress: '10.255.0.1',
          peerAsn: 65001,
          importLimit: 100,
        },
      ],
    },
  ],
};

export const hubAndSpoke: PeConfigInput = {
  device: { name: 'lyo1-pe1', routerId: '193.51.181.1', asn: 2200 },
  vpns: [
    {
      name: 'cir_000077',
      label: 'CIR-000077 Hub Lyon',
      rd: '193.51.181.1:7',
      routeTargets: { hub: '4200000001:2001', spoke: '193.51.181.1:2002' },
      sites: [
        {
          name: 's_cir_000077_hub',
          label: 'CNRS / Lyon',
          localAddress: '172.16.1.0',
          peerAddress: '172.16.1.1',
          peerAsn: 65010,
          importLimit: 500,
          role: 'hub',
        },
        {
          name: 's_cir_000077_spoke1',
          label: 'LAB-1 / Villeurbanne',
          localAddress: '172.16.1.2',
          peerAddress: '172.16.1.3',
          peerAsn: 65011,
          importLimit: 10,
          role: 'spoke',
        },
        {
          name: 's_cir_000077_spoke2',
          label: 'LAB-2 / Bron',
          localAddress: '172.16.1.4',
          peerAddress: '172.16.1.5',
          peerAsn: 4200000012,
          importLimit: 10,
          role: 'spoke',
          disabled: true,
        },
      ],
    },
    {
      name: 'cir_000078',
      label: 'CIR-000078 Second VPN',
      rd: '4200000000:3',
      routeTargets: { both: '4200000000:3' },
      sites: [
        {
          name: 's_cir_000078_a',
          label: 'UNIV-C / Main',
          localAddress: '192.168.0.0',
          peerAddress: '192.168.0.1',
          peerAsn: 65020,
          importLimit: 1000,
        },
      ],
    },
  ],
};

export const empty: PeConfigInput = {
  device: { name: 'lil1-pe1', routerId: '193.51.182.1', asn: 2200 },
  vpns: [],
};
