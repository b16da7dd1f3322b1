import { createServer, type Server } from 'node:net';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '@guichet/core';
import { type RipeStandin, startRipeStandin } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inet6numFor, inetnumFor } from './builders.js';
import { driftReport, isInSync } from './drift.js';
import type { RpslObject } from './model.js';
import { createRipeClient, type RipeClient } from './ripe-client.js';

const KEY = { keyId: 'ABCDEFGHIJKLMNOPQRSTUVWX', secret: 'super-secret-value-1' };
const OTHER = { keyId: 'ZYXWVUTSRQPONMLKJIHGFEDC', secret: 'super-secret-value-2' };
const logLines: string[] = [];
const logger = {
  debug: (o: object, m: string) => logLines.push(`${m} ${JSON.stringify(o)}`),
  warn: (o: object, m: string) => logLines.push(`${m} ${JSON.stringify(o)}`),
};

const input = {
  netname: 'UNIV-EX-NET',
  country: 'FR',
  adminC: ['UE1-TEST'],
  techC: ['UE1-TEST'],
  mntBy: ['RESEARCH-MNT'],
  status: 'ASSIGNED PA',
  source: 'TEST',
  descr: 'Example University',
};

let ripe: RipeStandin;
let client: RipeClient;

/** The typed error a call fails with; also checks no secret leaked into it. */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    const text = `${(e as Error).message} ${JSON.stringify(e)}`;
    expect(text).not.toContain(KEY.secret);
    expect(text).not.toContain(Buffer.from(`${KEY.keyId}:${KEY.secret}`).toString('base64'));
    return e as Error;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  ripe = await startRipeStandin({
    source: 'TEST',
    apiKeys: [
      { ...KEY, maintainers: ['RESEARCH-MNT'] },
      { ...OTHER, maintainers: ['SOMEONE-ELSE-MNT'] },
    ],
  });
  client = createRipeClient({ baseUrl: ripe.url, source: 'TEST', apiKey: KEY, timeoutMs: 5_000, logger });
});
afterAll(async () => {
  await ripe.stop();
  expect(logLines.join('\n')).not.toContain(KEY.secret);
});

const strip = (o: RpslObject) => ({
  ...o,
  attributes: o.attributes.filter((a) => a.name !== 'created' && a.name !== 'last-modified'),
});

describe('RIPE client against the stand-in', () => {
  const v4 = inetnumFor({ ...input, prefix: '192.0.2.0/26' });
  const v6 = inet6numFor({
    ...input,
    prefix: '2001:db8:4000::/48',
    status: 'ASSIGNED',
    netname: 'UNIV-EX-V6',
  });

  it('dry-run creates nothing and says so', async () => {
    const r = await client.create(v4, { dryRun: true });
    expect(r.dryRun).toBe(true);
    expect(r.messages).toContainEqual({
      severity: 'Info',
      text: 'Dry-run performed, no changes to the database have been made',
    });
    expect(strip(r.object!)).toEqual(v4);
    expect(ripe.objects()).toEqual([]);
  });

  it('apply = dry-run then create; get returns the object with generated dates', async () => {
    const before = ripe.requests.length;
    const r = await client.apply(v4);
    expect(r.dryRun).toBe(false);
    expect(r.messages).toEqual([]);
    expect(ripe.requests.slice(before)).toEqual([
      { method: 'POST', path: '/test/inetnum', dryRun: true },
      { method: 'POST', path: '/test/inetnum', dryRun: false },
    ]);
    const got = await client.get('inetnum', '192.0.2.0 - 192.0.2.63');
    expect(strip(got)).toEqual(v4);
    expect(got.attributes.map((a) => a.name)).toContain('last-modified');
    expect(isInSync(driftReport([v4], [got]))).toBe(true);

    await client.apply(v6);
    expect(strip(await client.get('inet6num', '2001:db8:4000::/48'))).toEqual(v6);
    expect(ripe.objects()).toHaveLength(2);
  });

  it('modify with dry-run first; an identical modify comes back with the whois warning', async () => {
    const changed: RpslObject = structuredClone(v4);
    changed.attributes.find((a) => a.name === 'descr')!.value = 'Example University, Lab B';
    await client.modify(changed, { dryRun: true });
    expect((await client.get('inetnum', '192.0.2.0 - 192.0.2.63')).attributes).toContainEqual({
      name: 'descr',
      value: 'Example University',
    });
    await client.apply(changed, { operation: 'modify' });
    const got = await client.get('inetnum', '192.0.2.0 - 192.0.2.63');
    expect(driftReport([changed], [got]).differing).toEqual([]);
    expect(driftReport([v4], [got]).differing.map((d) => d.attribute)).toEqual(['descr']);
    const again = await client.modify(changed);
    expect(again.messages).toContainEqual({
      severity: 'Warning',
      text: 'Submitted object identical to database object',
    });
  });

  it('create of an existing key → ConflictError with the whois text', async () => {
    const e = await failure(client.create(v4));
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toContain(
      'Enforced new keyword specified, but the object already exists in the database',
    );
  });

  it('missing mandatory attribute → ValidationError naming it', async () => {
    const noTech: RpslObject = {
      type: 'inetnum',
      attributes: v4.attributes.filter((a) => a.name !== 'tech-c'),
    };
    noTech.attributes[0] = { name: 'inetnum', value: '192.0.2.64 - 192.0.2.127' };
    const e = (await failure(client.create(noTech, { dryRun: true }))) as ValidationError;
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.issues).toEqual([{ path: ['tech-c'], message: 'Mandatory attribute "tech-c" is missing' }]);
  });

  it('bad credentials or a key of another maintainer → ForbiddenError naming the maintainer', async () => {
    const wrong = createRipeClient({ baseUrl: ripe.url, source: 'TEST', apiKey: { ...KEY, secret: 'nope' } });
    const other = createRipeClient({ baseUrl: ripe.url, source: 'TEST', apiKey: OTHER });
    const anonymous = createRipeClient({ baseUrl: ripe.url, source: 'TEST' });
    const v4b = inetnumFor({ ...input, prefix: '192.0.2.128/26' });
    for (const c of [wrong, other, anonymous]) {
      const e = await failure(c.create(v4b));
      expect(e).toBeInstanceOf(ForbiddenError);
      expect(e.message).toBe(
        'RIPE database: Authorisation for [inetnum] 192.0.2.128 - 192.0.2.191 failed\nusing "mnt-by:"\nnot authenticated by: RESEARCH-MNT',
      );
    }
    expect(await failure(other.delete('inetnum', '192.0.2.0 - 192.0.2.63'))).toBeInstanceOf(ForbiddenError);
    expect(ripe.objects()).toHaveLength(2);
  });

  it('get or delete of an unknown key → NotFoundError', async () => {
    expect(await failure(client.get('inetnum', '198.51.100.0 - 198.51.100.255'))).toBeInstanceOf(
      NotFoundError,
    );
    expect(await failure(client.delete('inet6num', '2001:db8:9999::/48'))).toBeInstanceOf(NotFoundError);
  });

  it('delete: dry-run keeps the object, the real call removes it', async () => {
    const dry = await client.delete('inet6num', '2001:db8:4000::/48', {
      dryRun: true,
      reason: 'returned by member',
    });
    expect(dry.messages.map((m) => m.text)).toContain(
      'Dry-run performed, no changes to the database have been made',
    );
    expect(ripe.objects()).toHaveLength(2);
    const r = await client.delete('inet6num', '2001:db8:4000::/48', { reason: 'returned by member' });
    expect(strip(r.object!)).toEqual(v6);
    expect(await failure(client.get('inet6num', '2001:db8:4000::/48'))).toBeInstanceOf(NotFoundError);
  });

  it('a 5xx or a refused connection → UnavailableError', async () => {
    ripe.failNext(503);
    const e = await failure(client.get('inetnum', '192.0.2.0 - 192.0.2.63'));
    expect(e).toBeInstanceOf(UnavailableError);
    expect(e.message).toBe('RIPE database answered HTTP 503 for inetnum 192.0.2.0 - 192.0.2.63');
    const gone = await startRipeStandin({ source: 'TEST' });
    await gone.stop();
    const down = createRipeClient({ baseUrl: gone.url, source: 'TEST', apiKey: KEY });
    const refused = await failure(down.get('inetnum', '192.0.2.0 - 192.0.2.63'));
    expect(refused).toBeInstanceOf(UnavailableError);
    expect(refused.message).toMatch(/could not be reached \(ECONNREFUSED\)/);
  });

  it('a server that never answers → UnavailableError within the timeout', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent: Server = createServer((s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    const slow = createRipeClient({
      baseUrl: `http://127.0.0.1:${port}`,
      source: 'TEST',
      apiKey: KEY,
      timeoutMs: 300,
    });
    const started = Date.now();
    const e = await failure(slow.apply(v4));
    expect(e).toBeInstanceOf(UnavailableError);
    expect(e.message).toBe(
      'RIPE database did not answer within 300 ms (POST inetnum 192.0.2.0 - 192.0.2.63)',
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });
});
