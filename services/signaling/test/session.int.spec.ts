import { setTimeout as sleep } from 'node:timers/promises';
import { SignalingClosedError, SignalingConnectError } from '@ringbus/client-sdk';
import { CloseCode, SIGNALING_SUBPROTOCOL } from '@ringbus/softphone-protocol';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeSession } from '../src/adapters/postgres/session-tokens.js';
import {
  eventually,
  SignalingPlatform,
  TENANT,
  type SignalingInstance,
} from './support/signaling-platform.js';

let platform: SignalingPlatform;
let instance: SignalingInstance;
let other: SignalingInstance;

beforeAll(async () => {
  platform = await SignalingPlatform.start();
  // A short keep-alive so the timeout can be watched: silent for 1 s + 0.5 s grace closes with 4502.
  const fast = { KEEPALIVE_INTERVAL_MS: '1000', KEEPALIVE_GRACE_MS: '500' };
  instance = await platform.startInstance(fast);
  other = await platform.startInstance(fast);
});

afterAll(async () => {
  await platform?.stop();
});

/** What connecting with this token ends in: the close code before the state handshake. */
async function refusedWith(token: string, path: { tenant?: string } = { tenant: TENANT }): Promise<number> {
  const client = platform.client();
  const error = await client.connect({ url: instance.url, token, tenant: path.tenant }).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SignalingClosedError);
  return (error as SignalingClosedError).closeCode;
}

describe('state handshake and keep-alive', () => {
  it('sends the state right after open: registration, one empty slot per line, the keep-alive interval', async () => {
    const user = await platform.provisionUser(3);
    const { state } = await platform.connect(instance, user);
    expect(state).toMatchObject({
      handshake: 'state',
      keepalive_interval: 1000,
      registration: { status: 'registered' },
      lines: [null, null, null],
    });
    expect(Math.abs(state.timestamp - Date.now())).toBeLessThan(5_000);
  });

  it('also serves the plain /signaling/v1 path, for the session’s own tenant', async () => {
    const user = await platform.provisionUser(1);
    const client = platform.client();
    const state = await client.connect({ url: instance.url, token: user.session.token });
    expect(state.lines).toEqual([null]);
  });

  it('echoes keep-alives and keeps a socket that sends them open past the timeout', async () => {
    const user = await platform.provisionUser();
    const { client } = await platform.connect(instance, user, { client: { keepaliveIntervalMs: 300 } });
    await sleep(2_500);
    expect(client.closeInfo).toBeUndefined();
    expect(client.keepaliveEchoes).toBeGreaterThanOrEqual(5);
  });

  it('counts any frame as alive, not only keep-alives', async () => {
    const user = await platform.provisionUser();
    const { client } = await platform.connect(instance, user, { client: { keepalive: false } });
    for (let i = 0; i < 6; i += 1) {
      await sleep(400);
      await client.presenceUpdate({ available: true }).catch(() => undefined);
    }
    expect(client.closeInfo).toBeUndefined();
  });

  it('closes a silent socket with 4502 once interval + grace have passed', async () => {
    const user = await platform.provisionUser();
    const { client } = await platform.connect(instance, user, { client: { keepalive: false } });
    const started = Date.now();
    const closed = await client.closed;
    expect(closed.code).toBe(CloseCode.keepaliveTimeout);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_300);
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});

describe('session tokens', () => {
  it('closes with 4201 (session missed: the app logs out) for an unknown token', async () => {
    expect(await refusedWith('not-a-token')).toBe(CloseCode.sessionMissed);
  });

  it('closes with 4201 for an expired or a revoked token, and for a token of another tenant', async () => {
    const user = await platform.provisionUser();
    const expired = await platform.mintToken(user.userId, {
      ttlMs: 1_000,
      now: new Date(Date.now() - 60_000),
    });
    expect(await refusedWith(expired.token)).toBe(CloseCode.sessionMissed);

    const revoked = await platform.mintToken(user.userId);
    await revokeSession(platform.schema.pool, revoked.sessionId);
    expect(await refusedWith(revoked.token)).toBe(CloseCode.sessionMissed);

    expect(await refusedWith(user.session.token, { tenant: 'globex' })).toBe(CloseCode.sessionMissed);
  });

  it('closes with 4411 when the session’s user has no subscriber entry', async () => {
    const orphan = await platform.mintToken('nobody-here');
    expect(await refusedWith(orphan.token)).toBe(CloseCode.subscriberMissed);
  });

  it('refuses the upgrade without the webtrit-protocol subprotocol (400) and on other paths (404)', async () => {
    const user = await platform.provisionUser();
    const status = (url: string, protocols: string[]) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(url, protocols);
        socket.on('unexpected-response', (_request, response) => {
          resolve(response.statusCode ?? 0);
          socket.terminate();
        });
        socket.on('open', () => reject(new Error('the socket opened')));
        socket.on('error', () => undefined);
      });
    const query = `?token=${user.session.token}`;
    expect(await status(`${instance.url}/signaling/v1${query}`, [])).toBe(400);
    expect(await status(`${instance.url}/signaling/v1${query}`, ['other-protocol'])).toBe(400);
    expect(await status(`${instance.url}/elsewhere/v1${query}`, [SIGNALING_SUBPROTOCOL])).toBe(404);
    // The client SDK reports a refused upgrade as a connect error carrying the status.
    const error = await platform
      .client()
      .connect({ url: `${instance.url}/elsewhere/x`, token: user.session.token })
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(SignalingConnectError);
    expect((error as SignalingConnectError).httpStatus).toBe(404);
  });
});

describe('one socket per session, across instances', () => {
  it('refuses a second socket of the same session on another instance with 4431; the first keeps working', async () => {
    const user = await platform.provisionUser();
    const first = await platform.connect(instance, user);
    const second = platform.client();
    const error = await second
      .connect({ url: other.url, token: user.session.token, tenant: TENANT })
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(SignalingClosedError);
    expect((error as SignalingClosedError).closeCode).toBe(CloseCode.alreadyAttached);
    await expect(first.client.presenceUpdate({ available: true })).rejects.toMatchObject({
      responseCode: 501,
    });
    expect(first.client.closeInfo).toBeUndefined();
  });

  it('with force=true evicts the older socket on another instance with 4441 and serves the new one', async () => {
    const user = await platform.provisionUser();
    const first = await platform.connect(instance, user);
    const second = await platform.connect(other, user, { force: true });
    expect(second.state.handshake).toBe('state');
    const evicted = await first.client.closed;
    expect(evicted.code).toBe(CloseCode.evictedByForce);
    // The new socket is the session's only one: a third without force is refused.
    const third = platform.client();
    const error = await third
      .connect({ url: instance.url, token: user.session.token, tenant: TENANT })
      .catch((reason: unknown) => reason);
    expect((error as SignalingClosedError).closeCode).toBe(CloseCode.alreadyAttached);
    expect(second.client.closeInfo).toBeUndefined();
  });

  it('with force=true evicts the older socket on the same instance too', async () => {
    const user = await platform.provisionUser();
    const first = await platform.connect(instance, user);
    await platform.connect(instance, user, { force: true });
    expect((await first.client.closed).code).toBe(CloseCode.evictedByForce);
  });

  it('keeps exactly one of two sockets that attach at the same moment without force', async () => {
    for (let round = 0; round < 5; round += 1) {
      const user = await platform.provisionUser();
      const racers = [platform.client(), platform.client()];
      await Promise.allSettled(
        racers.map((client, index) =>
          client.connect({
            url: (index === 0 ? instance : other).url,
            token: user.session.token,
            tenant: TENANT,
          }),
        ),
      );
      await sleep(300);
      const open = racers.filter((client) => client.closeInfo === undefined);
      expect(open).toHaveLength(1);
      const refused = racers.find((client) => client.closeInfo !== undefined);
      expect(refused?.closeInfo?.code).toBe(CloseCode.alreadyAttached);
      await open[0]?.close();
    }
  });

  it('lets the session attach again once its socket closed', async () => {
    const user = await platform.provisionUser();
    const first = await platform.connect(instance, user);
    await first.client.close();
    const again = await platform.connect(other, user);
    expect(again.state.handshake).toBe('state');
  });

  it('leaks no session registration once sockets close', async () => {
    const before = instance.endpoint.fanout.size().sessions;
    const user = await platform.provisionUser();
    const { client } = await platform.connect(instance, user);
    expect(instance.endpoint.fanout.size().sessions).toBe(before + 1);
    await client.close();
    await eventually('the session to be let go', () =>
      instance.endpoint.fanout.size().sessions === before ? true : undefined,
    );
  });
});
