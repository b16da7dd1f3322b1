import { builder, WRITE } from '@guichet/graphql';
import { opt } from '@guichet/workflow';
import {
  confirmRotation,
  declareServer,
  removeServer,
  requestProbe,
  rotateSecret,
} from '../service/servers.js';
import { TransportEnum } from './enums.js';
import { ERRORS, idArg } from './mutation-kit.js';
import { ServerRef } from './types.js';

/**
 * eduroam servers: declared by the institution (a technical contact, or the desk), rotated,
 * probed and removed (also by the NOC). A server's secret is in the result of the call that
 * made it, and nowhere else, ever.
 */

const DeclareServerInput = builder.inputType('DeclareEduroamServerInput', {
  description: 'A RADIUS server of the institution, to connect to the national proxy.',
  fields: (f) => ({
    institutionId: f.id({ description: 'The institution.' }),
    name: f.string({ description: 'Its host name.' }),
    address: f.field({
      type: 'IPAddress',
      description: 'Its static public address (the proxy knows its clients by address).',
    }),
    port: f.int({ required: false, description: 'Its authentication port (default 1812).' }),
    transport: f.field({ type: TransportEnum, required: false, description: 'UDP (default).' }),
  }),
});

const secretPayload = (name: string, description: string) =>
  builder.simpleObject(name, {
    description,
    fields: (t) => ({
      server: t.field({ type: ServerRef, description: 'The server.' }),
      secret: t.string({
        description:
          'The shared secret (48 random letters and digits). Shown this once: Guichet never returns it again. Configure it on the server for the national proxy, as client and home server.',
      }),
    }),
  });

const DeclareServerPayload = secretPayload(
  'DeclareEduroamServerPayload',
  'The declared server and its secret (shown once).',
);
const RotatePayload = builder.simpleObject('RotateEduroamServerSecretPayload', {
  description: 'The new secret (shown once) and when the old one stops working.',
  fields: (t) => ({
    server: t.field({ type: ServerRef, description: 'The server.' }),
    secret: t.string({ description: 'The new shared secret. Shown this once.' }),
    validUntil: t.field({
      type: 'DateTime',
      description: 'Until then both secrets work; the proxy switches when the server answers the new one.',
    }),
  }),
});
const ServerPayload = builder.simpleObject('EduroamServerPayload', {
  description: 'The server after the action.',
  fields: (t) => ({ server: t.field({ type: ServerRef, description: 'The server.' }) }),
});

builder.mutationFields((t) => ({
  declareEduroamServer: t.field({
    type: DeclareServerPayload,
    description:
      'Declares a RADIUS server: Guichet generates its shared secret (returned here, once), adds it to the national proxy (clients.conf and home servers, checked by freeradius -XC) and starts probing it. A technical contact of the institution, or the desk.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: { input: t.arg({ type: DeclareServerInput, required: true, description: 'The server.' }) },
    resolve: (_r, { input }, { env, ctx }) =>
      declareServer(env, ctx, {
        institutionId: String(input.institutionId),
        name: input.name,
        address: input.address,
        port: opt(input.port),
        transport: opt(input.transport),
      }),
  }),
  rotateEduroamServerSecret: t.field({
    type: RotatePayload,
    description:
      'Issues a new secret for a server (returned here, once); both work until the overlap ends (EDUROAM_SECRET_OVERLAP_HOURS). The proxy switches as soon as the server answers a probe with the new one. The institution’s technical contact, the desk or the NOC.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: { id: idArg(t, 'The server.') as never },
    resolve: (_r, { id }, { env, ctx }) => rotateSecret(env, ctx, String(id)),
  }),
  confirmEduroamSecretRotation: t.field({
    type: ServerPayload,
    description:
      'Ends a rotation now: the server uses the new secret (the old one stops working). The institution’s technical contact, the desk or the NOC.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: { id: idArg(t, 'The server.') as never },
    resolve: async (_r, { id }, { env, ctx }) => ({ server: await confirmRotation(env, ctx, String(id)) }),
  }),
  removeEduroamServer: t.field({
    type: ServerPayload,
    description:
      'Takes a server out of the national proxy; its secrets are retired for good. The institution’s technical contact, the desk or the NOC.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: { id: idArg(t, 'The server.') as never },
    resolve: async (_r, { id }, { env, ctx }) => ({ server: await removeServer(env, ctx, String(id)) }),
  }),
  probeEduroamServer: t.field({
    type: ServerPayload,
    description:
      'Queues a Status-Server probe of a server now (it runs within seconds; see `EduroamServer.probes`), without waiting for the next round. The institution’s technical contact, the desk or the NOC.',
    authScopes: WRITE,
    errors: { types: ERRORS },
    args: { id: idArg(t, 'The server.') as never },
    resolve: async (_r, { id }, { env, ctx }) => ({ server: await requestProbe(env, ctx, String(id)) }),
  }),
}));
