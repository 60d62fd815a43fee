import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { spawnService, uniqueTestName, type ServiceProcess } from '@ringbus/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionContact } from '../src/adapters/postgres/subscribers.js';
import {
  contactSchema,
  contactsSchema,
  historySchema,
  sessionTokenSchema,
  systemInfoSchema,
  userSchema,
} from '../src/adapters/http/api-schemas.js';
import { CallEndReason } from '@ringbus/proto';
import {
  eventually,
  SignalingPlatform,
  TENANT,
  type SignalingInstance,
} from './support/signaling-platform.js';

let platform: SignalingPlatform;
let instance: SignalingInstance;
let push: ServiceProcess | undefined;
const pushPrefix = uniqueTestName('pushcmd');
const pushDeadLetters = uniqueTestName('push_dlq');

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

async function call(
  target: SignalingInstance,
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    rawBody?: string;
    contentType?: string;
    tenant?: string | null;
  } = {},
): Promise<Reply> {
  const base = options.tenant === null ? '/api' : `/tenant/${options.tenant ?? TENANT}/api`;
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined || options.body !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json';
    body = options.rawBody ?? JSON.stringify(options.body);
  }
  const response = await fetch(`${target.httpUrl}${base}${path}`, { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

async function signIn(
  user: { login: string; password: string },
  target = instance,
  tenant: string | null = TENANT,
): Promise<string> {
  const reply = await call(target, 'POST', '/v1/session', {
    tenant,
    body: { type: 'android', identifier: 'install-1', login: user.login, password: user.password },
  });
  expect(reply.status).toBe(200);
  return sessionTokenSchema.parse(reply.body).token;
}

function expectError(reply: Reply, status: number, code: string): void {
  expect(reply.status).toBe(status);
  expect(reply.body).toMatchObject({ code, message: expect.any(String) });
}

beforeAll(async () => {
  platform = await SignalingPlatform.start();
  instance = await platform.startInstance({
    PUSH_COMMAND_SUBJECT_PREFIX: pushPrefix,
    SIGNIN_MAX_FAILURES: '3',
    SIGNIN_RATE_LIMIT_PER_MINUTE: '1000',
    SIGNIN_RATE_LIMIT_BURST: '1000',
    API_RATE_LIMIT_PER_SECOND: '1000',
    API_RATE_LIMIT_BURST: '1000',
  });
});

afterAll(async () => {
  await push?.stop();
  if (platform !== undefined) {
    const jsm = await jetstreamManager(platform.nats);
    await jsm.streams.delete(pushDeadLetters).catch(() => false);
  }
  await platform?.stop();
});

describe('public endpoints', () => {
  it('health check and system info, under /api and /tenant/<tenant>/api', async () => {
    for (const tenant of [null, TENANT]) {
      expect(await call(instance, 'GET', '/health-check', { tenant })).toMatchObject({
        status: 200,
        body: { status: 'ok' },
      });
      const info = await call(instance, 'GET', '/v1/system-info', { tenant });
      expect(info.status).toBe(200);
      const parsed = systemInfoSchema.parse(info.body);
      expect(parsed.adapter.supported).toContain('passwordSignin');
      expect(parsed.postgres.version).toMatch(/^\d+/);
    }
  });
});

describe('password sign-in and sessions', () => {
  it('signs in with login and password; the token opens the REST API and the signaling socket', async () => {
    const user = await platform.provisionPasswordUser();
    const reply = await call(instance, 'POST', '/v1/session', {
      body: {
        type: 'ios',
        identifier: 'install-2',
        login: user.login,
        password: user.password,
        bundle_id: 'com.example.phone',
      },
    });
    expect(reply.status).toBe(200);
    expect(sessionTokenSchema.parse(reply.body)).toMatchObject({ user_id: user.userId, tenant_id: TENANT });
    const { token } = sessionTokenSchema.parse(reply.body);
    expect((await call(instance, 'GET', '/v1/user', { token })).status).toBe(200);
    const client = platform.client();
    const state = await client.connect({ url: instance.url, token, tenant: TENANT });
    expect(state.lines).toEqual([null, null]);
    const stored = await platform.schema.pool.query<{ token_hash: string; bundle_id: string }>(
      'select token_hash, bundle_id from signaling_session where user_id = $1',
      [user.userId],
    );
    // Stored hashed only.
    expect(stored.rows[0]?.token_hash).not.toContain(token);
    expect(stored.rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.rows[0]?.bundle_id).toBe('com.example.phone');
  });

  it('a wrong password and an unknown login get the same answer', async () => {
    const user = await platform.provisionPasswordUser();
    const wrong = await call(instance, 'POST', '/v1/session', {
      body: { type: 'web', identifier: 'i', login: user.login, password: 'not-it' },
    });
    const unknown = await call(instance, 'POST', '/v1/session', {
      body: { type: 'web', identifier: 'i', login: `nobody-${user.login}`, password: 'not-it' },
    });
    expectError(wrong, 401, 'incorrect_credentials');
    expect(unknown).toMatchObject({ status: wrong.status, body: wrong.body });
  });

  it('locks a login after N wrong passwords (even the right one is refused), known or not alike', async () => {
    const user = await platform.provisionPasswordUser();
    const attempt = (login: string, password: string) =>
      call(instance, 'POST', '/v1/session', { body: { type: 'web', identifier: 'i', login, password } });
    const unknownLogin = `ghost-${user.login}`;
    for (let i = 0; i < 3; i += 1) {
      expectError(await attempt(user.login, 'wrong'), 401, 'incorrect_credentials');
      expectError(await attempt(unknownLogin, 'wrong'), 401, 'incorrect_credentials');
    }
    const locked = await attempt(user.login, user.password);
    expectError(locked, 429, 'signin_attempts_exceeded');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    const lockedUnknown = await attempt(unknownLogin, 'anything');
    expect(lockedUnknown).toMatchObject({ status: 429, body: locked.body });
    // Another login is not affected.
    const other = await platform.provisionPasswordUser();
    await signIn(other);
  });

  it('takes requests as the Flutter app sends them: JSON content type on every request, also without a body', async () => {
    const user = await platform.provisionPasswordUser();
    const token = await signIn(user);
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      accept: 'application/json',
      'x-request-id': 'req-1',
      authorization: `Bearer ${token}`,
    };
    const base = `${instance.httpUrl}/tenant/${TENANT}/api/v1`;
    const history = await fetch(
      `${base}/user/history?time_from=2024-01-01T00:00:00.000123Z&items_per_page=50`,
      {
        headers,
      },
    );
    expect(history.status).toBe(200);
    expect((await fetch(`${base}/user`, { headers })).status).toBe(200);
    const signOut = await fetch(`${base}/session`, { method: 'DELETE', headers });
    expect(signOut.status).toBe(204);
  });

  it('counts concurrent wrong passwords on two instances: every one of them, one lockout', async () => {
    const user = await platform.provisionPasswordUser();
    const second = await platform.startInstance({
      SIGNIN_MAX_FAILURES: '3',
      SIGNIN_RATE_LIMIT_PER_MINUTE: '1000',
      SIGNIN_RATE_LIMIT_BURST: '1000',
    });
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(i % 2 === 0 ? instance : second, 'POST', '/v1/session', {
          body: { type: 'web', identifier: 'i', login: user.login, password: `wrong-${i}` },
        }),
      ),
    );
    const statuses = replies.map((reply) => reply.status);
    // At least the limit's worth are told the password is wrong; none is let in.
    expect(statuses.filter((status) => status === 401).length).toBeGreaterThanOrEqual(3);
    expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
    const { rows } = await platform.schema.pool.query<{ failures: number; locked_until: Date | null }>(
      'select failures, locked_until from signaling_signin_failure where tenant = $1 and login = $2',
      [TENANT, user.login],
    );
    expect(rows[0]?.failures).toBe(statuses.filter((status) => status === 401).length);
    expect(rows[0]?.locked_until).not.toBeNull();
    expectError(
      await call(second, 'POST', '/v1/session', {
        body: { type: 'web', identifier: 'i', login: user.login, password: user.password },
      }),
      429,
      'signin_attempts_exceeded',
    );
  });

  it("sign-out closes the session's open socket (4201), on another instance too", async () => {
    const user = await platform.provisionPasswordUser();
    const token = await signIn(user);
    const other = await platform.startInstance();
    const client = platform.client();
    await client.connect({ url: other.url, token, tenant: TENANT });
    expect((await call(instance, 'DELETE', '/v1/session', { token })).status).toBe(204);
    const closed = await eventually('the socket closed', () => client.closeInfo);
    expect(closed.code).toBe(4201);
  });

  it('sign-out revokes the session; expired, made-up and missing tokens are refused with their own code', async () => {
    const user = await platform.provisionPasswordUser();
    const token = await signIn(user);
    expect((await call(instance, 'DELETE', '/v1/session', { token })).status).toBe(204);
    expectError(await call(instance, 'GET', '/v1/user', { token }), 401, 'session_missing');
    expectError(await call(instance, 'DELETE', '/v1/session', { token }), 401, 'session_missing');

    const expired = await platform.mintToken(user.userId, {
      ttlMs: 1_000,
      now: new Date(Date.now() - 60_000),
    });
    expectError(await call(instance, 'GET', '/v1/user', { token: expired.token }), 401, 'token_expired');
    expectError(await call(instance, 'GET', '/v1/user', { token: 'made-up-token' }), 401, 'token_invalid');
    expectError(await call(instance, 'GET', '/v1/user'), 401, 'authorization_header_missing');
    const basic = await fetch(`${instance.httpUrl}/tenant/${TENANT}/api/v1/user`, {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(basic.status).toBe(401);
    expect(await basic.json()).toMatchObject({ code: 'bearer_credentials_missing' });
  });

  it("a token never opens another tenant's API; the plain path serves the token's own tenant", async () => {
    const user = await platform.provisionPasswordUser();
    const token = await signIn(user);
    expectError(await call(instance, 'GET', '/v1/user', { token, tenant: 'other' }), 401, 'token_invalid');
    expect((await call(instance, 'GET', '/v1/user', { token, tenant: null })).status).toBe(200);
    // Sign-in on the plain path is the default tenant's (`default` here): acme's logins are not there.
    expectError(
      await call(instance, 'POST', '/v1/session', {
        tenant: null,
        body: { type: 'web', identifier: 'i', login: user.login, password: user.password },
      }),
      401,
      'incorrect_credentials',
    );
    // Nor does the login exist in another tenant.
    expectError(
      await call(instance, 'POST', '/v1/session', {
        tenant: 'other',
        body: { type: 'web', identifier: 'i', login: user.login, password: user.password },
      }),
      401,
      'incorrect_credentials',
    );
    const acmeByDefault = await platform.startInstance({ DEFAULT_TENANT: TENANT });
    const plain = await signIn(user, acmeByDefault, null);
    expect((await call(acmeByDefault, 'GET', '/v1/user', { token: plain, tenant: null })).status).toBe(200);
    expect((await call(acmeByDefault, 'GET', '/v1/user', { token, tenant: null })).status).toBe(200);
  });
});

describe('user data', () => {
  it('GET /user: status, numbers and names, no SIP credentials', async () => {
    const user = await platform.provisionPasswordUser({
      callerNumber: '+15550123',
      profile: {
        extNumber: '123',
        additionalNumbers: ['+15550999'],
        email: 'ann@example.com',
        firstName: 'Ann',
        lastName: 'Lee',
        timeZone: 'Europe/Kyiv',
      },
    });
    const reply = await call(instance, 'GET', '/v1/user', { token: await signIn(user) });
    expect(reply.status).toBe(200);
    expect(userSchema.strict().parse(reply.body)).toMatchObject({
      status: 'active',
      numbers: { main: '+15550123', ext: '123', additional: ['+15550999'] },
      email: 'ann@example.com',
      first_name: 'Ann',
      last_name: 'Lee',
      time_zone: 'Europe/Kyiv',
    });
    expect(JSON.stringify(reply.body)).not.toMatch(/sip|password/i);
  });

  it("contacts: the user's own list only; another user's contact is not found", async () => {
    const ann = await platform.provisionPasswordUser();
    const bob = await platform.provisionPasswordUser();
    await provisionContact(
      platform.schema.pool,
      { tenant: TENANT, userId: ann.userId },
      {
        contactId: 'c-1',
        firstName: 'Carol',
        mainNumber: '+15550300',
        extNumber: '300',
      },
    );
    await provisionContact(
      platform.schema.pool,
      { tenant: TENANT, userId: bob.userId },
      {
        contactId: 'c-bob',
        firstName: 'Dan',
      },
    );
    const annToken = await signIn(ann);
    const list = await call(instance, 'GET', '/v1/user/contacts', { token: annToken });
    expect(contactsSchema.parse(list.body).items).toEqual([
      expect.objectContaining({
        user_id: 'c-1',
        first_name: 'Carol',
        numbers: { main: '+15550300', ext: '300', additional: [] },
      }),
    ]);
    const one = await call(instance, 'GET', '/v1/user/contacts/c-1', { token: annToken });
    expect(contactSchema.parse(one.body).first_name).toBe('Carol');
    expectError(
      await call(instance, 'GET', '/v1/user/contacts/c-bob', { token: annToken }),
      404,
      'contact_not_found',
    );
    const bobList = await call(instance, 'GET', '/v1/user/contacts', { token: await signIn(bob) });
    expect(contactsSchema.parse(bobList.body).items.map((item) => item.user_id)).toEqual(['c-bob']);
  });

  it("history: the user's finished calls from their streams, newest first, paged and filtered by time", async () => {
    const ann = await platform.provisionPasswordUser();
    const bob = await platform.provisionPasswordUser();
    const answered = await platform.offer(ann.userId);
    await platform.answered(answered);
    await platform.ended(answered);
    const startedBetween = new Date().toISOString();
    const missed = await platform.offer(ann.userId);
    await platform.ended(missed, 487, CallEndReason.CANCELLED);
    const live = await platform.offer(ann.userId);
    const bobs = await platform.offer(bob.userId);
    await platform.ended(bobs, 487, CallEndReason.CANCELLED);

    const token = await signIn(ann);
    const page = async (query: string) => {
      const reply = await call(instance, 'GET', `/v1/user/history${query}`, { token });
      expect(reply.status).toBe(200);
      return historySchema.parse(reply.body);
    };
    const all = await eventually('both ended calls in the history', async () => {
      const result = await page('');
      return result.pagination.items_total === 2 ? result : undefined;
    });
    expect(all.items.map((item) => item.status)).toEqual(['missed', 'accepted']);
    expect(all.items[1]).toMatchObject({ direction: 'incoming', caller: '+15550777', callee: '+15550001' });
    const [missedEntry, answeredEntry] = all.items;
    expect(answeredEntry?.status).toBe('accepted');
    expect(Date.parse(missedEntry?.connect_time ?? '')).toBeLessThanOrEqual(
      Date.parse(missedEntry?.disconnect_time ?? ''),
    );
    expect(missedEntry?.duration).toBe(0);

    const second = await page('?items_per_page=1&page=2');
    expect(second.items.map((item) => item.status)).toEqual(['accepted']);
    expect(second.pagination).toEqual({ page: 2, items_per_page: 1, items_total: 2 });

    const recent = await page(`?time_from=${encodeURIComponent(startedBetween)}`);
    expect(recent.items.map((item) => item.status)).toEqual(['missed']);
    await platform.ended(live);

    expectError(
      await call(instance, 'GET', '/v1/user/history?items_per_page=1000', { token }),
      422,
      'validation_error',
    );
    expectError(await call(instance, 'GET', '/v1/user/history?sort=asc', { token }), 422, 'validation_error');
  });
});

describe('app status', () => {
  it('is stored per session: PATCH sets it, GET reads it, another session keeps its own', async () => {
    const user = await platform.provisionPasswordUser();
    const first = await signIn(user);
    const second = await signIn(user);
    expect(await call(instance, 'GET', '/v1/app/status', { token: first })).toMatchObject({
      status: 200,
      body: { register: false },
    });
    expect(
      (await call(instance, 'PATCH', '/v1/app/status', { token: first, body: { register: true } })).status,
    ).toBe(204);
    expect((await call(instance, 'GET', '/v1/app/status', { token: first })).body).toEqual({
      register: true,
    });
    expect((await call(instance, 'GET', '/v1/app/status', { token: second })).body).toEqual({
      register: false,
    });
    expectError(
      await call(instance, 'PATCH', '/v1/app/status', { token: first, body: { register: 'yes' } }),
      422,
      'validation_error',
    );
  });
});

describe('push tokens', () => {
  it("registers through push's token command; refuses unknown types, bad APNs tokens, and says when push is away", async () => {
    const user = await platform.provisionPasswordUser();
    const token = await signIn(user);
    const fcmToken = `fcm-${uniqueTestName('device')}`;

    const away = await call(instance, 'POST', '/v1/app/push-tokens', {
      token,
      body: { type: 'fcm', value: fcmToken },
    });
    expectError(away, 503, 'push_unavailable');
    expect(away.headers.get('retry-after')).not.toBeNull();

    const env = platform.env();
    push = await spawnService({
      main: fileURLToPath(new URL('../../push/dist/src/main.js', import.meta.url)),
      env: {
        DATABASE_URL: env['DATABASE_URL'] ?? '',
        PUSH_SCHEMA: platform.schema.schema,
        EVENTS_STREAM_NAME: platform.names.stream,
        EVENTS_SUBJECT_PREFIX: platform.names.subjectPrefix,
        EVENTS_DURABLE_NAME: uniqueTestName('push_durable'),
        DEAD_LETTER_STREAM: pushDeadLetters,
        DEAD_LETTER_SUBJECT_PREFIX: uniqueTestName('pushdlq'),
        PUSH_COMMAND_SUBJECT_PREFIX: pushPrefix,
        LOG_LEVEL: 'warn',
      },
    });
    const register = (body: unknown) => call(instance, 'POST', '/v1/app/push-tokens', { token, body });
    await eventually('push serving its token commands', async () =>
      (await register({ type: 'fcm', value: fcmToken })).status === 204 ? true : undefined,
    );
    const voip = 'ab'.repeat(32);
    expect((await register({ type: 'apkvoip', value: voip })).status).toBe(204);
    // Idempotent.
    expect((await register({ type: 'apkvoip', value: voip })).status).toBe(204);
    const rows = await platform.schema.pool.query<{ kind: string; token: string; tenant: string }>(
      'select kind, token, tenant from push_token where user_id = $1 order by kind',
      [user.userId],
    );
    expect(rows.rows).toEqual([
      { kind: 'apns_voip', token: voip, tenant: TENANT },
      { kind: 'fcm', token: fcmToken, tenant: TENANT },
    ]);

    expectError(await register({ type: 'apns', value: 'not-hex' }), 422, 'validation_error');
    expectError(await register({ type: 'hms', value: 'hms-token' }), 422, 'push_token_type_unsupported');
    expectError(await register({ type: 'webpush', value: 'x' }), 422, 'validation_error');
  });
});

describe('bad input', () => {
  it('malformed, oversized, unknown fields, wrong media type, unknown endpoints: typed errors', async () => {
    const user = await platform.provisionPasswordUser();
    const malformed = await call(instance, 'POST', '/v1/session', { rawBody: '{"login": ' });
    expectError(malformed, 400, 'malformed_json');
    const huge = await call(instance, 'POST', '/v1/session', {
      body: { type: 'web', identifier: 'i', login: user.login, password: 'x'.repeat(20_000) },
    });
    expectError(huge, 413, 'body_too_large');
    const extra = await call(instance, 'POST', '/v1/session', {
      body: { type: 'web', identifier: 'i', login: user.login, password: user.password, admin: true },
    });
    expectError(extra, 422, 'validation_error');
    expect(extra.body).toMatchObject({ details: { path: 'body', reason: expect.stringContaining('admin') } });
    const missing = await call(instance, 'POST', '/v1/session', { body: { type: 'web', identifier: 'i' } });
    expectError(missing, 422, 'validation_error');
    expect(missing.body).toMatchObject({ details: { path: 'body.login' } });
    const badType = await call(instance, 'POST', '/v1/session', {
      body: { type: 'fax', identifier: 'i', login: user.login, password: user.password },
    });
    expectError(badType, 422, 'validation_error');
    expectError(
      await call(instance, 'POST', '/v1/session', { rawBody: '<xml/>', contentType: 'application/xml' }),
      415,
      'unsupported_media_type',
    );
    expectError(await call(instance, 'GET', '/v1/nothing-here'), 404, 'not_found');
    expectError(await call(instance, 'GET', '/v1/user', { tenant: 'bad tenant!' }), 404, 'tenant_invalid');
  });

  it('a flood from one address is answered 429 with Retry-After', async () => {
    const limited = await platform.startInstance({
      API_RATE_LIMIT_PER_SECOND: '1',
      API_RATE_LIMIT_BURST: '5',
    });
    const statuses: number[] = [];
    let refused: Reply | undefined;
    for (let i = 0; i < 8; i += 1) {
      const reply = await call(limited, 'GET', '/health-check');
      statuses.push(reply.status);
      if (reply.status === 429) refused ??= reply;
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.at(-1)).toBe(429);
    expect(refused?.body).toMatchObject({ code: 'too_many_requests' });
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('sign-in attempts have their own, stricter limit per address', async () => {
    const limited = await platform.startInstance({
      SIGNIN_RATE_LIMIT_PER_MINUTE: '2',
      SIGNIN_RATE_LIMIT_BURST: '2',
    });
    const attempt = () =>
      call(limited, 'POST', '/v1/session', {
        body: { type: 'web', identifier: 'i', login: 'x', password: 'y' },
      });
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(401);
    const third = await attempt();
    expectError(third, 429, 'too_many_requests');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(20);
    // Other endpoints are still served.
    expect((await call(limited, 'GET', '/v1/system-info')).status).toBe(200);
  });
});

describe('OpenAPI document', () => {
  it('is served and lists every API route the server registered', async () => {
    const reply = await call(instance, 'GET', '/v1/openapi.json', { tenant: null });
    expect(reply.status).toBe(200);
    const document = reply.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe('3.1.0');
    const apiRoutes = instance.routes.filter(
      (route) =>
        (route.url.startsWith('/api/') || route.url.startsWith('/tenant/:tenantId/api/')) &&
        !route.url.endsWith('/*') &&
        route.method !== 'HEAD',
    );
    expect(apiRoutes.length).toBeGreaterThanOrEqual(16);
    for (const route of apiRoutes) {
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      expect(
        document.paths[path]?.[route.method.toLowerCase()],
        `${route.method} ${route.url}`,
      ).toBeDefined();
    }
  });
});
