import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Prometheus metrics, one registry per app instance so tests can run several apps in one process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'guichet_' });
  const httpDuration = new Histogram({
    name: 'guichet_http_request_duration_seconds',
    help: 'HTTP request duration by route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const graphqlOperations = new Counter({
    name: 'guichet_graphql_operations_total',
    help: 'GraphQL operations by type and outcome.',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  const introspectionCacheHits = new Counter({
    name: 'guichet_graphql_introspection_cache_hits_total',
    help: 'Introspection operations answered from the cache.',
    registers: [registry],
  });
  return { registry, httpDuration, graphqlOperations, introspectionCacheHits };
}

export type Metrics = ReturnType<typeof createMetrics>;

export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (req, reply) => {
    metrics.httpDuration
      .labels(req.method, req.routeOptions.url ?? 'unmatched', String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
