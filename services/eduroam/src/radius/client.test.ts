import { type Radius, startRadius } from '@guichet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RadiusClient, RadiusTimeout } from './client.js';
import { attributeText, checkResponse, decodePacket, encodeRequest, hidePassword } from './packet.js';

const SECRET = 'Institution0Secret0For0The0Client0Test01';

describe('RADIUS framing', () => {
  it('hides a password as RFC 2865 §5.2 says, and signs requests with a Message-Authenticator first', () => {
    const auth = Buffer.alloc(16, 7);
    const hidden = hidePassword('alicepw', Buffer.from('s'), auth);
    expect(hidden.length).toBe(16);
    const p = encodeRequest({ code: 'Status-Server', identifier: 9, secret: 's', authenticator: auth });
    expect(p.length).toBe(38);
    const d = decodePacket(p);
    expect(d.code).toBe('Status-Server');
    expect(d.attributes[0]?.name).toBe('Message-Authenticator');
    expect(
      encodeRequest({ code: 'Status-Server', identifier: 9, secret: 's', messageAuthenticator: false })
        .length,
    ).toBe(20);
  });
});

describe('RADIUS client against FreeRADIUS 3.2', () => {
  let server: Radius;
  const client = new RadiusClient();
  beforeAll(async () => {
    server = await startRadius({
      clients: `client guichet {\n\tipaddr = 127.0.0.1\n\tsecret = ${SECRET}\n\trequire_message_authenticator = yes\n}\n`,
      users: '"alice@univ-a.example" Cleartext-Password := "alicepw"\n\tReply-Message := "Hello from univ-a"',
    });
  });
  afterAll(async () => {
    client.close();
    await server?.stop();
  });

  it('gets an authentic Access-Accept to Status-Server, 20 bytes long', async () => {
    const x = await client.exchange({
      host: '127.0.0.1',
      port: server.authPort,
      secret: SECRET,
      code: 'Status-Server',
    });
    expect(x.reply.code).toBe('Access-Accept');
    expect(x.reply.attributes).toEqual([]);
    expect(x.check).toEqual({ authentic: true, messageAuthenticator: 'absent' });
    expect(x.rttMs).toBeGreaterThan(0);
    expect(x.rttMs).toBeLessThan(1000);
  });

  it('authenticates alice with PAP and reads the Reply-Message', async () => {
    const x = await client.exchange({
      host: '127.0.0.1',
      port: server.authPort,
      secret: SECRET,
      code: 'Access-Request',
      attributes: {
        'User-Name': 'alice@univ-a.example',
        'User-Password': 'alicepw',
        'NAS-IP-Address': '127.0.0.1',
      },
    });
    expect(x.reply.code).toBe('Access-Accept');
    expect(attributeText(x.reply, 'Reply-Message')).toBe('Hello from univ-a');
  });

  it('sees a wrong secret and a request without Message-Authenticator both as silence', async () => {
    const mark = server.logMark();
    const wrong = client.exchange({
      host: '127.0.0.1',
      port: server.authPort,
      secret: `${SECRET}x`,
      code: 'Status-Server',
      timeoutMs: 300,
      attempts: 2,
    });
    await expect(wrong).rejects.toBeInstanceOf(RadiusTimeout);
    const bare = client.exchange({
      host: '127.0.0.1',
      port: server.authPort,
      secret: SECRET,
      code: 'Access-Request',
      messageAuthenticator: false,
      attributes: { 'User-Name': 'alice@univ-a.example', 'User-Password': 'alicepw' },
      timeoutMs: 300,
      attempts: 1,
    });
    await expect(bare).rejects.toBeInstanceOf(RadiusTimeout);
    const log = server.logSince(mark);
    expect(log).toMatch(/Shared secret is incorrect/);
    expect(log).toMatch(/does not contain required Message-Authenticator/);
  });

  it('refuses a forged reply (response authenticator under another secret)', () => {
    const req = encodeRequest({ code: 'Status-Server', identifier: 1, secret: SECRET });
    const reply = Buffer.from(req.subarray(0, 20));
    reply[0] = 2;
    reply.writeUInt16BE(20, 2);
    expect(checkResponse(reply, req.subarray(4, 20), SECRET).authentic).toBe(false);
  });
});
