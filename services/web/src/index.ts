import { join } from 'node:path';

/**
 * @guichet/web, as the api host sees it: where the built portal is and which paths are the
 * portal's (the browser code is src/app/, built by Vite; nothing of it runs in Node).
 */

/** Vite's output: index.html and assets/. */
export const WEB_DIST = join(import.meta.dirname, '../dist');

/** The portal's client-side routes: the api answers index.html for each. */
export const PORTAL_ROUTES = [
  '/',
  '/signin',
  '/institution',
  '/requests/:id',
  '/noc',
  // NOC console and desk (web3)
  '/noc/tickets/:id',
  '/desk',
  '/desk/institutions/:id',
] as const;
