import Fastify from 'fastify';

/*
 * Baseline for the cold-start section: a bare fastify that answers one route, and a "listening
 * on" line in the same form as main.ts. JavaScript, so that it runs both through tsx (the
 * baseline the earlier figures were measured against) and through plain Node (as `pnpm start`
 * now runs the compiled entry).
 */
const app = Fastify();
app.get('/', async () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
process.stdout.write(`bare fastify is listening on http://127.0.0.1:${port}\n`);

const stop = async () => {
  await app.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
