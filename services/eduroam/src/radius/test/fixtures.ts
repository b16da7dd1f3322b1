import type { ProxyModel } from '../generate.js';

/** Two institutions: A with a realm, its subrealms and two servers; B with one exact realm. */
export const SECRET_A1 = 'AAAAaaaa1111AAAAaaaa1111AAAAaaaa1111AAAA';
export const SECRET_A2 = 'AAAAaaaa2222AAAAaaaa2222AAAAaaaa2222AAAA';
export const SECRET_B1 = 'BBBBbbbb1111BBBBbbbb1111BBBBbbbb1111BBBB';

export function twoInstitutions(ports: { a1: number; a2: number; b1: number }): ProxyModel {
  return {
    tld: 'example',
    institutions: [
      {
        id: 'bbbbbbbb-0000-4000-8000-000000000002',
        shortName: 'Univ B',
        realms: [{ realm: 'univ-b.example', subrealms: false }],
        servers: [
          {
            id: 'b1b1b1b1-0000-4000-8000-000000000001',
            name: 'radius.univ-b.example',
            address: '127.0.0.3',
            port: ports.b1,
            transport: 'udp',
            secret: SECRET_B1,
          },
        ],
      },
      {
        id: 'aaaaaaaa-0000-4000-8000-000000000001',
        shortName: 'Univ A',
        realms: [
          { realm: 'univ-a.example', subrealms: true },
          { realm: 'lab.sciences.univ-a2.example', subrealms: true },
        ],
        servers: [
          {
            id: 'a1a1a1a1-0000-4000-8000-000000000001',
            name: 'radius1.univ-a.example',
            address: '127.0.0.2',
            port: ports.a1,
            transport: 'udp',
            secret: SECRET_A1,
          },
          {
            id: 'a2a2a2a2-0000-4000-8000-000000000002',
            name: 'radius2.univ-a.example',
            address: '127.0.0.4',
            port: ports.a2,
            transport: 'udp',
            secret: SECRET_A2,
          },
        ],
      },
    ],
  };
}
