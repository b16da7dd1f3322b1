import type { RequestContext } from '@guichet/core';
import type { Tx } from '@guichet/db';
import type { AssignmentRow } from './internal.js';

/**
 * What other lines do when an assignment is returned (rdns withdraws its delegations). ipam may
 * not import them — they import ipam — so they register here, at import time, and run inside
 * the transaction of the return: the assignment and everything hanging off it move together,
 * or not at all.
 */
export type ReturnListener = (tx: Tx, ctx: RequestContext, assignment: AssignmentRow) => Promise<void>;

const listeners: ReturnListener[] = [];

export function onAssignmentReturned(listener: ReturnListener): void {
  if (!listeners.includes(listener)) listeners.push(listener);
}

export async function assignmentReturned(tx: Tx, ctx: RequestContext, a: AssignmentRow): Promise<void> {
  for (const l of listeners) await l(tx, ctx, a);
}
