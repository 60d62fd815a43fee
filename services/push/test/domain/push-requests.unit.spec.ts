import { describe, expect, it } from 'vitest';
import { apnsRequestFor, fcmSendBodyFor, incomingCallPushOf } from '../../src/domain/incoming-call-push.js';
import {
  classifyApnsResponse,
  classifyFcmResponse,
  retryAfterMs,
} from '../../src/domain/provider-response.js';
import { retryDelayMs } from '../../src/domain/retry-schedule.js';

const offered = {
  eventId: 'e1',
  tenant: 'acme',
  occurredAt: '2026-01-02T03:04:05.000Z',
  callId: '0192f1c2-7a3b-7c4d-8e5f-0123456789ab',
  userId: 'u1',
  caller: '+4930123456',
  callerDisplayName: '',
  carrierSipCallId: 'abc@sbc',
};
const token = { tenant: 'acme', userId: 'u1', token: 'a'.repeat(64), appId: '' };

describe('push requests', () => {
  it('uses the carrier Call-ID as the app-facing callId, our id beside it, and the number as display name when none was sent', () => {
    const body = fcmSendBodyFor(incomingCallPushOf(offered), { ...token, kind: 'fcm' }, 45);
    expect(body).toEqual({
      message: {
        token: token.token,
        data: {
          callId: 'abc@sbc',
          handleValue: '+4930123456',
          displayName: '+4930123456',
          hasVideo: 'false',
          ringbusCallId: offered.callId,
        },
        android: { priority: 'high', ttl: '45s' },
      },
    });
    expect(Object.values(body.message.data).every((value) => typeof value === 'string')).toBe(true);
  });

  it('falls back to our call id without a carrier Call-ID, and to "Anonymous" without a caller', () => {
    const push = incomingCallPushOf({ ...offered, carrierSipCallId: '', caller: '' });
    expect(fcmSendBodyFor(push, { ...token, kind: 'fcm' }, 45).message.data).toMatchObject({
      callId: offered.callId,
      handleValue: '',
      displayName: 'Anonymous',
    });
  });

  it("sends VoIP pushes to <bundle>.voip with priority 10 and expiration 0; the token's own bundle id wins", () => {
    const push = incomingCallPushOf(offered);
    const voip = apnsRequestFor(push, { ...token, kind: 'apns_voip' }, 'com.example.phone', 45);
    expect(voip.path).toBe(`/3/device/${token.token}`);
    expect(voip.headers).toEqual({
      'apns-push-type': 'voip',
      'apns-topic': 'com.example.phone.voip',
      'apns-priority': '10',
      'apns-expiration': '0',
      'content-type': 'application/json',
    });
    expect(JSON.parse(voip.body)).toMatchObject({ handleType: 'number', callId: 'abc@sbc', hasVideo: false });
    const own = apnsRequestFor(
      push,
      { ...token, kind: 'apns_voip', appId: 'com.other.app' },
      'com.example.phone',
      45,
    );
    expect(own.headers['apns-topic']).toBe('com.other.app.voip');
  });

  it('sends an alert to an ordinary APNs token, expiring ttl seconds after the offer', () => {
    const alert = apnsRequestFor(
      incomingCallPushOf(offered),
      { ...token, kind: 'apns' },
      'com.example.phone',
      45,
    );
    expect(alert.headers).toMatchObject({ 'apns-push-type': 'alert', 'apns-topic': 'com.example.phone' });
    expect(Number(alert.headers['apns-expiration'])).toBe(Date.parse(offered.occurredAt) / 1000 + 45);
  });
});

describe('provider answers', () => {
  const fcmError = (status: string, details: unknown[], message = 'x') => ({
    error: { status, message, details },
  });
  const fcmCode = (errorCode: string) => ({
    '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError',
    errorCode,
  });

  it('classifies FCM answers', () => {
    expect(classifyFcmResponse(200, { name: 'n' }, undefined, 0)).toEqual({ kind: 'accepted' });
    expect(
      classifyFcmResponse(404, fcmError('NOT_FOUND', [fcmCode('UNREGISTERED')]), undefined, 0).kind,
    ).toBe('token_invalid');
    expect(
      classifyFcmResponse(403, fcmError('PERMISSION_DENIED', [fcmCode('SENDER_ID_MISMATCH')]), undefined, 0)
        .kind,
    ).toBe('token_invalid');
    expect(
      classifyFcmResponse(429, fcmError('RESOURCE_EXHAUSTED', [fcmCode('QUOTA_EXCEEDED')]), '7', 0),
    ).toEqual({
      kind: 'retry',
      reason: 'QUOTA_EXCEEDED',
      retryAfterMs: 7000,
    });
    expect(classifyFcmResponse(503, undefined, undefined, 0)).toEqual({ kind: 'retry', reason: 'HTTP_503' });
    expect(classifyFcmResponse(401, fcmError('UNAUTHENTICATED', []), undefined, 0)).toMatchObject({
      kind: 'retry',
      refreshAuth: true,
    });
  });

  it('removes an FCM token on INVALID_ARGUMENT only when FCM blames the token', () => {
    const onToken = fcmError('INVALID_ARGUMENT', [
      fcmCode('INVALID_ARGUMENT'),
      { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'message.token' }] },
    ]);
    expect(classifyFcmResponse(400, onToken, undefined, 0).kind).toBe('token_invalid');
    const onPayload = fcmError('INVALID_ARGUMENT', [
      fcmCode('INVALID_ARGUMENT'),
      {
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: [{ field: 'message.data[0].value' }],
      },
    ]);
    expect(classifyFcmResponse(400, onPayload, undefined, 0)).toEqual({
      kind: 'rejected',
      reason: 'INVALID_ARGUMENT',
    });
  });

  it('classifies APNs answers', () => {
    expect(classifyApnsResponse(200, undefined, undefined, 0)).toEqual({ kind: 'accepted' });
    expect(classifyApnsResponse(410, { reason: 'Unregistered', timestamp: 1 }, undefined, 0).kind).toBe(
      'token_invalid',
    );
    expect(classifyApnsResponse(400, { reason: 'BadDeviceToken' }, undefined, 0).kind).toBe('token_invalid');
    expect(classifyApnsResponse(400, { reason: 'BadTopic' }, undefined, 0)).toEqual({
      kind: 'rejected',
      reason: 'BadTopic',
    });
    expect(classifyApnsResponse(429, { reason: 'TooManyRequests' }, undefined, 0)).toEqual({
      kind: 'retry',
      reason: 'TooManyRequests',
    });
    expect(classifyApnsResponse(403, { reason: 'ExpiredProviderToken' }, undefined, 0)).toMatchObject({
      kind: 'retry',
      refreshAuth: true,
    });
    expect(classifyApnsResponse(403, { reason: 'InvalidProviderToken' }, undefined, 0).kind).toBe('rejected');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
  });
});

describe('retry schedule', () => {
  const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };

  it('doubles the delay with jitter in its upper half, and gives up after the last attempt', () => {
    expect(retryDelayMs(policy, 1, 0)).toBe(50);
    expect(retryDelayMs(policy, 1, 1)).toBe(100);
    expect(retryDelayMs(policy, 3, 1)).toBe(400);
    expect(retryDelayMs(policy, 4, 0.5)).toBeUndefined();
  });

  it('waits at least Retry-After, and gives up when it is longer than the longest wait', () => {
    expect(retryDelayMs(policy, 1, 0, 700)).toBe(700);
    expect(retryDelayMs(policy, 1, 0, 5_000)).toBeUndefined();
  });
});
