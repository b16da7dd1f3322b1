import { type RequestContext, systemContext } from '@guichet/core';
import { allocatePrefix, createPool, reservePrefix } from '@guichet/ipam';
import type { Cast } from './fixtures.js';

/**
 * ipam objects for the authorisation matrix, made through the service functions as the NOC:
 * pools once per cast, and a fresh assignment or reservation per call, so that a cell allowed
 * to change one never disturbs another. Test code only.
 */

export interface IpamPools {
  /** IPv6 pool allocations come from (sparse). */
  v6: string;
  /** IPv6 pool for manual assignments (prefixes chosen by the matrix). */
  manual: string;
  /** An assignment of institution A that no cell changes. */
  assignmentA: string;
}

const RPSL = { adminC: ['NOC1-RIPE'], techC: ['NOC1-RIPE'], mntBy: ['MATRIX-MNT'], country: 'FR' };
const made = new WeakMap<Cast, Promise<IpamPools>>();
let counter = 0;

export function nocContext(c: Cast): RequestContext {
  const actor = c.actors.noc;
  if (!actor) throw new Error('the cast has no NOC');
  return { ...systemContext('matrix'), actor };
}

/** A number no other call of this process got: distinct prefixes for allowed creations. */
export const nextNumber = () => ++counter;

export function ipamPools(c: Cast): Promise<IpamPools> {
  let p = made.get(c);
  if (!p) {
    p = (async () => {
      const noc = nocContext(c);
      // Documentation space, accepted as test pools.
      const base = { status: 'ALLOCATED-BY-RIR', purpose: 'institutions', acceptBogon: true, ...RPSL };
      const v6 = await createPool(c.database.db, noc, {
        name: 'matrix v6',
        prefix: '2001:db8::/32',
        ...base,
      });
      const manual = await createPool(c.database.db, noc, {
        name: 'matrix manual',
        prefix: '2001:db9::/32',
        ...base,
      });
      const pools = { v6: v6.id, manual: manual.id, assignmentA: '' };
      pools.assignmentA = await allocate(c, pools);
      return pools;
    })();
    made.set(c, p);
  }
  return p;
}

async function allocate(c: Cast, pools: Pick<IpamPools, 'v6'>): Promise<string> {
  const a = await allocatePrefix(c.database.db, nocContext(c), {
    poolId: pools.v6,
    length: 48,
    institutionId: c.institutionA,
    purpose: 'matrix',
  });
  return a.id;
}

/** A fresh active /48 of institution A. */
export async function freshAssignmentA(c: Cast): Promise<string> {
  return allocate(c, await ipamPools(c));
}

/** A fresh live reservation (a /56 hold) in the allocation pool. */
export async function freshReservation(c: Cast): Promise<string> {
  const pools = await ipamPools(c);
  const r = await reservePrefix(c.database.db, nocContext(c), {
    poolId: pools.v6,
    length: 56,
    reason: 'matrix hold',
  });
  return r.id;
}

/** A fresh empty root pool of public space, for a cell that may change or retire it. */
export async function freshPool(c: Cast): Promise<string> {
  const p = await createPool(c.database.db, nocContext(c), {
    name: `matrix pool ${nextNumber()}`,
    prefix: `2c0e:${(0xf000 + nextNumber()).toString(16)}::/32`,
    status: 'ALLOCATED-BY-RIR',
    purpose: 'matrix',
    ...RPSL,
  });
  return p.id;
}
