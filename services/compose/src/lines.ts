import { antispamLine } from '@guichet/antispam';
import { circuitsLine } from '@guichet/circuits';
import { domainsLine } from '@guichet/domains';
import { eduroamLine } from '@guichet/eduroam';
import { ipamLine } from '@guichet/ipam';
import { rdnsLine } from '@guichet/rdns';
import { routingLine } from '@guichet/routing';
import type { AnyLine } from '@guichet/workflow';

/**
 * THE composition list: every service line Guichet runs, in the order their hooks run. The api
 * and the worker both compose exactly this list (compose.test.ts fails otherwise). Adding a line
 * is its folder, one entry here (and its dependency in this package.json), and its
 * authorisation cases in services/api/src/authz/.
 */
export const LINES: readonly AnyLine[] = [
  ipamLine,
  routingLine,
  rdnsLine,
  domainsLine,
  circuitsLine,
  eduroamLine,
  antispamLine,
];
