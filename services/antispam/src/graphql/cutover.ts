import { ConflictError, NotFoundError } from '@guichet/core';
import { builder, NOC_WRITE } from '@guichet/graphql';
import { recordTestMessage } from '../service/cutover.js';
import { DomainRef } from './types.js';

/** The NOC's step of the MX cut-over; the rest is the poll (`antispam.poll-mx`). */

builder.mutationField('recordAntispamTestMessage', (t) =>
  t.field({
    type: builder.simpleObject('RecordAntispamTestMessagePayload', {
      description: 'The domain, now waiting for its MX to point at the gateway.',
      fields: (f) => ({ domain: f.field({ type: DomainRef, description: 'The domain.' }) }),
    }),
    description:
      'Records that a test message went through the gateway to the institution (configured → test-passed); from then on the MX poll makes the domain active once every MX is the gateway. NOC.',
    authScopes: NOC_WRITE,
    errors: { types: [NotFoundError, ConflictError] },
    args: { domainId: t.arg.id({ description: 'The antispam domain.' }) },
    resolve: async (_r, { domainId }, { env, ctx }) => ({
      domain: await recordTestMessage(env, ctx, String(domainId)),
    }),
  }),
);
