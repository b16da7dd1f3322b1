import './workflow.js';
import './graphql/index.js';

/**
 * @guichet/routing: regional collectors, their BGP sessions, each institution's routing
 * (collector, origin AS, announced prefixes), the `routing.change` request kind and the
 * collectors' generated BIRD configurations. Other code (services/api, worker) uses this entry only.
 */
export * from './bird/index.js';
export * from './config.js';
export { CollectorRef, InstitutionRoutingRef, RenderedConfigRef, SessionRef } from './graphql/index.js';
export { routingLine } from './line.js';
export { type RouteObject, routeObjectsFor } from './rpsl-routes.js';
export * from './rules.js';
export { type ChangeAsk, type Plan, planChange } from './service/change.js';
export {
  type CollectorRow,
  type CreateCollectorInput,
  type CreateSessionInput,
  createCollector,
  createSession,
  type SessionRow,
} from './service/collectors.js';
export { type ConfigRow, collectorInput, generateConfigs, latestConfig } from './service/configs.js';
export { announcementsOf, getCollector, listCollectors, routingOf, sessionsOf } from './service/queries.js';
export * from './tables.js';
export { ROUTING_CHANGE, ROUTING_CHANGE_KIND, type RoutingChange, routingChangeSchema } from './workflow.js';
