import type { Case } from './cases.js';

/** Rules for the ipam root fields (see cases.ts for the vocabulary). */
export const IPAM_CASES: Record<string, Case> = {};
