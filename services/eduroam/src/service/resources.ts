import type { RequestContext } from '@guichet/core';
import type { Tx } from '@guichet/db';
import { recordResource } from '@guichet/workflow';
import {
  type ProbeState,
  type RealmState,
  realmResourceState,
  type ServerState,
  type SiteState,
  serverResourceState,
  siteResourceState,
} from '../model.js';
import type { realms, servers, sites } from '../tables.js';

/** eduroam objects in the common resource view (`Query.resources`), each with its requests. */

type Realm = typeof realms.$inferSelect;
type Server = typeof servers.$inferSelect;
type Site = typeof sites.$inferSelect;

export const realmResource = (tx: Tx, ctx: RequestContext, r: Realm, requestId?: string | null) =>
  recordResource(tx, ctx, {
    line: 'eduroam',
    type: 'realm',
    objectId: r.id,
    institutionId: r.institutionId,
    name: r.realm,
    state: realmResourceState(r.state as RealmState),
    lineState: r.state,
    requestId: requestId ?? r.requestId,
  });

export const serverResource = (tx: Tx, ctx: RequestContext, s: Server, requestId?: string | null) =>
  recordResource(tx, ctx, {
    line: 'eduroam',
    type: 'server',
    objectId: s.id,
    institutionId: s.institutionId,
    name: `${s.name} (${s.address}:${s.port})`,
    state: serverResourceState(s.state as ServerState, s.probeState as ProbeState, s.firstOkAt !== null),
    lineState: s.state === 'removed' ? 'removed' : s.probeState,
    requestId: requestId ?? null,
  });

export const siteResource = (tx: Tx, ctx: RequestContext, s: Site) =>
  recordResource(tx, ctx, {
    line: 'eduroam',
    type: 'site',
    objectId: s.id,
    institutionId: s.institutionId,
    name: s.names.find((n) => n.lang === 'en')?.data ?? s.id,
    state: siteResourceState(s.state as SiteState),
    lineState: s.state,
  });
