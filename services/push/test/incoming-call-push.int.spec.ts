/**
 * The push service end to end on the real PostgreSQL and NATS: token commands over request/reply,
 * `CallOffered` from a durable consumer, pushes to the FCM and APNs contract doubles.
 */
import { CommandRejectedError } from '@ringbus/bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apnsToken,
  BUNDLE_ID,
  callOffered,
  eventually,
  FCM_PROJECT,
  fcmToken,
  type PushServiceUnderTest,
  recordedCallEvent,
  sleep,
  startPushService,
} from './support/push-service.js';

let service: PushServiceUnderTest;

beforeAll(async () => {
  service = await startPushService();
}, 30_000);

afterAll(async () => {
  await service?.stop();
});

async function register(userId: string, kind: string, token: string, tenant = 'acme'): Promise<unknown> {
  return service.commands.request(service.subjects.register, { tenant, userId, kind, token });
}

async function deliveries(eventId: string): Promise<{ kind: string; state: string; detail: string }[]> {
  const { rows } = await service.schema.pool.query<{ kind: string; state: string; detail: string }>(
    `select kind, state, detail from "${service.schema.schema}".push_delivery where event_id = $1 order by kind`,
    [eventId],
  );
  return rows;
}

async function tokensOf(userId: string): Promise<string[]> {
  const { rows } = await service.schema.pool.query<{ token: string }>(
    `select token from "${service.schema.schema}".push_token where user_id = $1 order by token`,
    [userId],
  );
  return rows.map((row) => row.token);
}

async function latencyCount(provider: string): Promise<number> {
  const metric = await service.metrics.latency.get();
  return (
    metric.values.find(
      (value) =>
        value.metricName === 'ringbus_push_latency_seconds_count' && value.labels['provider'] === provider,
    )?.value ?? 0
  );
}

describe('push token commands', () => {
  it('registers a token once and unregisters it, idempotently', async () => {
    const token = fcmToken();
    await expect(register('cmd-user', 'fcm', token)).resolves.toEqual({ registered: true, created: true });
    await expect(register('cmd-user', 'fcm', token)).resolves.toEqual({ registered: true, created: false });
    expect(await tokensOf('cmd-user')).toEqual([token]);
    const key = { tenant: 'acme', userId: 'cmd-user', kind: 'fcm', token };
    await expect(service.commands.request(service.subjects.unregister, key)).resolves.toEqual({
      removed: true,
    });
    await expect(service.commands.request(service.subjects.unregister, key)).resolves.toEqual({
      removed: false,
    });
    expect(await tokensOf('cmd-user')).toEqual([]);
  });

  it.each([
    ['no user id', { tenant: 'acme', kind: 'fcm', token: 'abc' }, 'userId'],
    ['an unknown kind', { tenant: 'acme', userId: 'u', kind: 'hms', token: 'abc' }, 'kind'],
    [
      'an APNs token that is not hex',
      { tenant: 'acme', userId: 'u', kind: 'apns_voip', token: 'zz-not-hex' },
      'token',
    ],
    [
      'an unknown field',
      { tenant: 'acme', userId: 'u', kind: 'fcm', token: 'abc', admin: true },
      '(payload)',
    ],
    ['no payload at all', undefined, '(payload)'],
  ])(
    'rejects a registration with %s with a typed, non-retryable error naming the field',
    async (_, payload, field) => {
      const rejection = await service.commands
        .request(service.subjects.register, payload)
        .catch((error: unknown) => error);
      expect(rejection).toBeInstanceOf(CommandRejectedError);
      const { code, message, retryable } = (rejection as CommandRejectedError).rejection;
      expect(code).toBe('INVALID_PUSH_TOKEN_COMMAND');
      expect(retryable).toBe(false);
      expect(message).toContain(field);
    },
  );
});

describe('incoming-call pushes', () => {
  it('sends one push per token of the callee: an FCM data message, an APNs VoIP push and an APNs alert', async () => {
    const [android, voip, ios] = [fcmToken(), apnsToken(), apnsToken()];
    await register('alice', 'fcm', android);
    await register('alice', 'apns_voip', voip);
    await register('alice', 'apns', ios);
    await register('someone-else', 'fcm', fcmToken());
    const before = { fcm: await latencyCount('fcm'), apns: await latencyCount('apns') };
    const event = callOffered('alice');
    const data = event.data as { callId: string; carrierSipCallId: string };
    await service.publish(event);

    await eventually(async () =>
      expect((await deliveries(event.eventId)).map((row) => row.state)).toEqual(['sent', 'sent', 'sent']),
    );
    expect(service.fcm.messagesTo(android)).toEqual([
      {
        projectId: FCM_PROJECT,
        message: {
          token: android,
          data: {
            callId: data.carrierSipCallId,
            handleValue: '+4930123456',
            displayName: 'Alice',
            hasVideo: 'false',
            ringbusCallId: data.callId,
          },
          android: { priority: 'high', ttl: '45s' },
        },
      },
    ]);
    const [voipPush] = service.apns.pushesTo(voip);
    expect(service.apns.pushesTo(voip)).toHaveLength(1);
    expect(voipPush?.headers).toMatchObject({
      'apns-push-type': 'voip',
      'apns-topic': `${BUNDLE_ID}.voip`,
      'apns-priority': '10',
      'apns-expiration': '0',
    });
    expect(voipPush?.payload).toEqual({
      handleType: 'number',
      handleValue: '+4930123456',
      displayName: 'Alice',
      hasVideo: false,
      callId: data.carrierSipCallId,
      ringbusCallId: data.callId,
    });
    const [alertPush] = service.apns.pushesTo(ios);
    expect(alertPush?.headers).toMatchObject({ 'apns-push-type': 'alert', 'apns-topic': BUNDLE_ID });
    expect(alertPush?.payload).toMatchObject({
      aps: { alert: { body: 'Alice' } },
      callId: data.carrierSipCallId,
    });
    expect(service.fcm.refusals).toEqual([]);
    expect(service.apns.refusals).toEqual([]);
    expect(await latencyCount('fcm')).toBe(before.fcm + 1);
    expect(await latencyCount('apns')).toBe(before.apns + 2);

    // The same event again (a redelivery, or published twice under another message id): no second push.
    await service.publish(event, { messageId: `${event.eventId}-again` });
    const marker = callOffered('nobody');
    await service.publish(marker);
    await eventually(async () => expect(await deliveries(marker.eventId)).toEqual([]), 5_000);
    await sleep(200);
    expect(service.fcm.messagesTo(android)).toHaveLength(1);
    expect(service.apns.pushesTo(voip)).toHaveLength(1);
    expect(service.apns.pushesTo(ios)).toHaveLength(1);
  });

  it('does not send again to a token claimed by a delivery that crashed mid-send, and still pushes the others', async () => {
    const [claimed, fresh] = [fcmToken(), fcmToken()];
    await register('bob', 'fcm', claimed);
    await register('bob', 'fcm', fresh);
    const event = callOffered('bob');
    await service.schema.pool.query(
      `insert into "${service.schema.schema}".push_delivery (event_id, kind, token, tenant, user_id, app_id, call_id, state)
       values ($1, 'fcm', $2, 'acme', 'bob', '', 'c', 'sending')`,
      [event.eventId, claimed],
    );
    await service.publish(event);
    await eventually(() => expect(service.fcm.messagesTo(fresh)).toHaveLength(1));
    expect(service.fcm.messagesTo(claimed)).toEqual([]);
  });

  it('removes tokens the providers report invalid: FCM UNREGISTERED and INVALID_ARGUMENT, APNs 410 and BadDeviceToken', async () => {
    const [gone, malformed, keep] = [fcmToken(), fcmToken(), fcmToken()];
    const [unregistered, bad] = [apnsToken(), apnsToken()];
    service.fcm.script(gone, ['unregistered']);
    service.fcm.script(malformed, ['invalid_token_argument']);
    service.apns.script(unregistered, ['unregistered']);
    service.apns.script(bad, ['bad_device_token']);
    for (const [kind, token] of [
      ['fcm', gone],
      ['fcm', malformed],
      ['fcm', keep],
      ['apns_voip', unregistered],
      ['apns', bad],
    ] as const) {
      await register('carol', kind, token);
    }
    const event = callOffered('carol');
    await service.publish(event);
    await eventually(async () => expect(await deliveries(event.eventId)).toHaveLength(5));
    await eventually(async () =>
      expect((await deliveries(event.eventId)).every((row) => row.state !== 'sending')).toBe(true),
    );
    expect(await tokensOf('carol')).toEqual([keep]);
    const states = (await deliveries(event.eventId)).map((row) => `${row.state}:${row.detail}`).sort();
    expect(states).toEqual([
      'sent:',
      'token_invalid:BadDeviceToken',
      'token_invalid:INVALID_ARGUMENT',
      'token_invalid:UNREGISTERED',
      'token_invalid:Unregistered',
    ]);
  });

  it('retries 429 and 5xx answers with backoff, honouring Retry-After, then succeeds', async () => {
    const [android, voip] = [fcmToken(), apnsToken()];
    service.fcm.script(android, [{ status: 429, retryAfter: '1' }, { status: 503 }]);
    service.apns.script(voip, [{ status: 429 }, { status: 500 }]);
    await register('dave', 'fcm', android);
    await register('dave', 'apns_voip', voip);
    const started = Date.now();
    const event = callOffered('dave');
    await service.publish(event);
    await eventually(async () =>
      expect((await deliveries(event.eventId)).map((row) => row.state)).toEqual(['sent', 'sent']),
    );
    expect(service.fcm.messagesTo(android)).toHaveLength(1);
    expect(service.apns.pushesTo(voip)).toHaveLength(1);
    // FCM's Retry-After: 1 was waited out.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('gives up after the configured attempts without a second push, and records the failure', async () => {
    const android = fcmToken();
    service.fcm.script(android, [
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
    ]);
    await register('erin', 'fcm', android);
    const event = callOffered('erin');
    await service.publish(event);
    await eventually(async () =>
      expect(await deliveries(event.eventId)).toEqual([
        { kind: 'fcm', state: 'failed', detail: 'retries_exhausted:INTERNAL' },
      ]),
    );
    expect(service.fcm.messagesTo(android)).toEqual([]);
    expect(await tokensOf('erin')).toEqual([android]);
  });

  it('ignores other call events and calls offered too long ago, and goes on with the next CallOffered', async () => {
    const android = fcmToken();
    await register('frank', 'fcm', android);
    await service.publish(recordedCallEvent('CallEnded', { reason: 'CALL_END_REASON_NORMAL' }));
    await service.publish(recordedCallEvent('CallTeleported', { userId: 'frank' }));
    const stale = callOffered('frank', { occurredAt: new Date(Date.now() - 10 * 60_000).toISOString() });
    await service.publish(stale);
    const fresh = callOffered('frank');
    await service.publish(fresh);
    await eventually(() => expect(service.fcm.messagesTo(android)).toHaveLength(1));
    expect(service.fcm.messagesTo(android)[0]?.message.data['ringbusCallId']).toBe(
      (fresh.data as { callId: string }).callId,
    );
    expect(await deliveries(stale.eventId)).toEqual([]);
  });
});
