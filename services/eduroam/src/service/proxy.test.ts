import { mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemContext } from '@guichet/core';
import { freeUdpPortPair, makeRaddb, type Radius, startRadius } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployTarget } from '../radius/deploy.js';
import { startWorld, type World } from '../test/world.js';
import { proxyStatus, publishProxy } from './proxy.js';
import { declareServer } from './servers.js';

const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const MONITOR = 'MonitorSecretOnLoopbackForThePublishTest';

/**
 * Publication to a real FreeRADIUS national proxy: deployed and restarted, checked by
 * Status-Server from Guichet's own client entry; a configuration -XC refuses leaves the running
 * one; a restart after which the proxy does not answer puts the previous release back;
 * concurrent publications swap once.
 */
describe(`national proxy publication on ${engine}`, () => {
  let w: World;
  let base: string;
  let target: DeployTarget;
  let port: number;
  let proxy: Radius | undefined;
  let failNextReload = false;
  const ctx = () => systemContext('eduroam-test');

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'eduroam-publish-'));
    port = await freeUdpPortPair();
    target = { template: join(base, 'template'), live: join(base, 'live') };
    makeRaddb(target.template, { address: '127.0.0.1', authPort: port, innerPort: await freeUdpPortPair() });
    w = await startWorld(
      {
        EDUROAM_PROBE_SOURCE: '127.0.0.1',
        EDUROAM_MONITOR_SECRET: MONITOR,
        EDUROAM_PROXY_CHECK: `127.0.0.1:${port}`,
      },
      {
        deploy: target,
        reload: async () => {
          if (failNextReload) {
            failNextReload = false;
            // The restart "succeeds" but the daemon is gone: what a broken unit file looks like.
            await proxy?.stop();
            proxy = undefined;
            return;
          }
          if (proxy) await proxy.restart();
          else proxy = await startRadius({ raddb: target.live, authPort: port });
        },
      },
      // declareServer queues a publication; run in the background it could deploy the change
      // test 2 makes before test 3 publishes it (seen on PostgreSQL: 'unchanged' twice).
      { publishInBackground: false },
    );
    await w.activate(w.a);
  }, 120_000);
  afterAll(async () => {
    await proxy?.stop();
    await w?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it('deploys, restarts the proxy and checks that it answers', async () => {
    const out = await publishProxy(w.database.db, w.rt, ctx());
    expect(out.status).toBe('deployed');
    expect((await proxyStatus(w.database.db)).deployedHash).toBe(out.hash);
    expect(proxy).toBeDefined();
    expect((await publishProxy(w.database.db, w.rt, ctx())).status).toBe('unchanged');
  }, 30_000);

  it('keeps the running configuration when freeradius -XC refuses the new one', async () => {
    const before = readlinkSync(target.live);
    await declareServer(w.env, w.a.tech, { institutionId: w.a.id, name: 'radius1', address: '127.0.0.2' });
    const broken = join(target.template, 'sites-enabled', 'broken');
    writeFileSync(broken, 'server broken {\n\tauthorize {\n\t\tno_such_module\n\t}\n}\n');
    try {
      const out = await publishProxy(w.database.db, w.rt, ctx());
      expect(out.status).toBe('refused');
      expect('publication' in out && out.publication.errors.join('\n')).toMatch(/no_such_module/);
      expect(readlinkSync(target.live)).toBe(before);
    } finally {
      rmSync(broken);
    }
  }, 30_000);

  it('puts the previous release back when the restarted proxy does not answer', async () => {
    const before = readlinkSync(target.live);
    const deployedBefore = (await proxyStatus(w.database.db)).deployedHash;
    failNextReload = true;
    const out = await publishProxy(w.database.db, w.rt, ctx());
    expect(out.status).toBe('rolled_back');
    expect(readlinkSync(target.live)).toBe(before);
    expect((await proxyStatus(w.database.db)).deployedHash).toBe(deployedBefore);
    // The rollback restarted the proxy on the previous release: it answers again.
    expect(proxy).toBeDefined();
  }, 60_000);

  it('swaps once when two publications race', async () => {
    const [a, b] = await Promise.all([
      publishProxy(w.database.db, w.rt, ctx()),
      publishProxy(w.database.db, w.rt, ctx()),
    ]);
    expect([a.status, b.status].sort()).toEqual(['deployed', 'unchanged']);
    const state = await proxyStatus(w.database.db);
    expect(state.release).toBe(readlinkSync(target.live));
  }, 60_000);
});
