import { defineHook } from '@guichet/workflow';
import type { AssignmentRow } from './internal.js';

/**
 * What other lines react to when an assignment is returned (rdns withdraws its delegations,
 * routing its announcements). ipam may not import them — they import ipam — so they listen
 * to this hook in their descriptors, and the listeners run inside the transaction of the
 * return: the assignment and everything hanging off it move together, or not at all.
 */
export const ASSIGNMENT_RETURNED = defineHook<AssignmentRow>('ipam.assignment-returned');
