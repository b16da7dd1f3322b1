import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { PORTAL_ROUTES, WEB_DIST } from '@guichet/web';
import type { FastifyInstance } from 'fastify';

/**
 * The portal (services/web, built by `pnpm install`/`pnpm build` into its dist/) served by the
 * api itself, like GraphiQL: no CDN, no second server. Hashed assets are immutable; the page
 * is answered for each of the portal's own paths (client-side routes), always revalidated.
 */
export async function registerPortal(app: FastifyInstance, dist = WEB_DIST): Promise<void> {
  const index = join(dist, 'index.html');
  await app.register(fastifyStatic, {
    root: join(dist, 'assets'),
    prefix: '/assets/',
    immutable: true,
    maxAge: '365d',
    index: false,
    // The directory may be missing until the first build: answer 404, not fail at start.
    serveDotFiles: false,
  });
  const page = async (_req: unknown, reply: import('fastify').FastifyReply) => {
    if (!existsSync(index)) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The portal is not built: run `pnpm build` (pnpm install does it).\n');
    }
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('x-frame-options', 'DENY')
      .header(
        'content-security-policy',
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
      )
      .send(readFileSync(index));
  };
  for (const path of PORTAL_ROUTES) app.get(path, page);
}
