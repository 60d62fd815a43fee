import { type PushToken } from './push-token.js';

/** What a phone needs to show an incoming call, from one `CallOffered` event. */
export interface IncomingCallPush {
  /** The `CallOffered` event: one push per (this id, token). */
  readonly eventId: string;
  readonly tenant: string;
  /** Our user, the callee. */
  readonly userId: string;
  /** Ringbus's call id (the `call-<id>` stream). */
  readonly ringbusCallId: string;
  /**
   * The call's id as the app knows it (protocol §4 `callId`): for an incoming call, the carrier's SIP
   * Call-ID; our call id when the carrier sent none.
   */
  readonly clientCallId: string;
  /** The caller's number or SIP URI as the carrier sent it; empty for anonymous calls. */
  readonly callerNumber: string;
  readonly callerDisplayName: string;
  /** When the call was offered (the event's occurred-at), in ms since the epoch. */
  readonly offeredAtMs: number;
}

export interface CallOfferedFacts {
  readonly eventId: string;
  readonly tenant: string;
  readonly occurredAt: string;
  readonly callId: string;
  readonly userId: string;
  readonly caller: string;
  readonly callerDisplayName: string;
  readonly carrierSipCallId: string;
}

export function incomingCallPushOf(offered: CallOfferedFacts): IncomingCallPush {
  return {
    eventId: offered.eventId,
    tenant: offered.tenant,
    userId: offered.userId,
    ringbusCallId: offered.callId,
    clientCallId: offered.carrierSipCallId !== '' ? offered.carrierSipCallId : offered.callId,
    callerNumber: offered.caller,
    callerDisplayName: offered.callerDisplayName,
    offeredAtMs: Date.parse(offered.occurredAt),
  };
}

/** The name a phone shows: the carrier's display name, else the number, else "Anonymous". */
export function displayNameOf(push: IncomingCallPush): string {
  if (push.callerDisplayName !== '') return push.callerDisplayName;
  return push.callerNumber !== '' ? push.callerNumber : 'Anonymous';
}

/** The protocol §4 fields every push carries, plus our own call id under `ringbusCallId`. */
export function callPushFields(push: IncomingCallPush): {
  callId: string;
  handleValue: string;
  displayName: string;
  ringbusCallId: string;
} {
  return {
    callId: push.clientCallId,
    handleValue: push.callerNumber,
    displayName: displayNameOf(push),
    ringbusCallId: push.ringbusCallId,
  };
}

/** The body of an FCM HTTP v1 `messages:send` request. */
export interface FcmSendBody {
  readonly message: {
    readonly token: string;
    /** FCM data messages carry string values only. */
    readonly data: Readonly<Record<string, string>>;
    readonly android: { readonly priority: 'high'; readonly ttl: string };
  };
}

/**
 * An Android incoming-call push: data only (the app builds its own notification), high priority so a
 * dozing phone wakes, and a time-to-live of `ttlSeconds` (a call push delivered later than that rings
 * for a call that is gone).
 */
export function fcmSendBodyFor(push: IncomingCallPush, token: PushToken, ttlSeconds: number): FcmSendBody {
  return {
    message: {
      token: token.token,
      data: { ...callPushFields(push), hasVideo: 'false' },
      android: { priority: 'high', ttl: `${ttlSeconds}s` },
    },
  };
}

/** One APNs request: `POST <path>` over HTTP/2 with these headers (authorization added by the sender). */
export interface ApnsRequest {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * An iOS incoming-call push. To a PushKit VoIP token (`apns_voip`): `apns-push-type: voip`, topic
 * `<bundle>.voip`, priority 10, expiration 0 (deliver now or never), the call fields at the top level.
 * To an ordinary APNs token (`apns`): a visible alert (`alert`, topic `<bundle>`, priority 10) that
 * expires `ttlSeconds` after the offer, with the same fields beside `aps`.
 */
export function apnsRequestFor(
  push: IncomingCallPush,
  token: PushToken,
  defaultBundleId: string,
  ttlSeconds: number,
): ApnsRequest {
  const bundleId = token.appId !== '' ? token.appId : defaultBundleId;
  const fields = { handleType: 'number', ...callPushFields(push), hasVideo: false };
  const path = `/3/device/${encodeURIComponent(token.token)}`;
  if (token.kind === 'apns_voip') {
    return {
      path,
      headers: {
        'apns-push-type': 'voip',
        'apns-topic': `${bundleId}.voip`,
        'apns-priority': '10',
        'apns-expiration': '0',
        'content-type': 'application/json',
      },
      body: JSON.stringify(fields),
    };
  }
  return {
    path,
    headers: {
      'apns-push-type': 'alert',
      'apns-topic': bundleId,
      'apns-priority': '10',
      'apns-expiration': String(Math.floor(push.offeredAtMs / 1000) + ttlSeconds),
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      aps: { alert: { title: 'Incoming call', body: displayNameOf(push) }, sound: 'default' },
      ...fields,
    }),
  };
}
