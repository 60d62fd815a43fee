/**
 * What one provider answer means for a push, decided from the status, the documented error body and
 * `Retry-After`. Pure: the senders feed in what they received.
 */
export type PushAttemptOutcome =
  | { readonly kind: 'accepted' }
  /** The provider says the token will never work again: remove it. */
  | { readonly kind: 'token_invalid'; readonly reason: string }
  /** Try again later (throttled, provider trouble, network); `refreshAuth`: our credential was refused. */
  | {
      readonly kind: 'retry';
      readonly reason: string;
      readonly retryAfterMs?: number;
      readonly refreshAuth?: boolean;
    }
  /** Refused for a reason retrying cannot fix (bad request, wrong credentials): give up on this push. */
  | { readonly kind: 'rejected'; readonly reason: string };

/** `Retry-After` as delay-seconds or an HTTP date, in ms from `nowMs`; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

interface FcmErrorBody {
  error?: {
    status?: unknown;
    message?: unknown;
    details?: unknown;
  };
}

const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';

function fcmDetails(body: unknown): { fcmErrorCode?: string; tokenFieldViolation: boolean } {
  const details = (body as FcmErrorBody | undefined)?.error?.details;
  let fcmErrorCode: string | undefined;
  let tokenFieldViolation = false;
  if (!Array.isArray(details)) return { tokenFieldViolation };
  for (const detail of details as unknown[]) {
    if (typeof detail !== 'object' || detail === null) continue;
    const entry = detail as { '@type'?: unknown; errorCode?: unknown; fieldViolations?: unknown };
    if (entry['@type'] === FCM_ERROR_TYPE && typeof entry.errorCode === 'string') {
      fcmErrorCode = entry.errorCode;
    }
    if (entry['@type'] === BAD_REQUEST_TYPE && Array.isArray(entry.fieldViolations)) {
      tokenFieldViolation ||= (entry.fieldViolations as unknown[]).some(
        (violation) => (violation as { field?: unknown } | null)?.field === 'message.token',
      );
    }
  }
  return fcmErrorCode === undefined ? { tokenFieldViolation } : { fcmErrorCode, tokenFieldViolation };
}

/**
 * An FCM HTTP v1 `messages:send` answer. `UNREGISTERED` (404) and `SENDER_ID_MISMATCH` (403) mean the
 * token is dead for us. `INVALID_ARGUMENT` (400) is the token's fault only when FCM says so (a
 * `BadRequest` violation on `message.token`, or a message about the registration token): the same code
 * also reports a malformed message, and treating that as a bad token would wipe every user's tokens.
 * 429 (`QUOTA_EXCEEDED`), 500 and 503 are retried, honouring `Retry-After`; 401 means our access token
 * was refused: fetch a new one and retry.
 */
export function classifyFcmResponse(
  status: number,
  body: unknown,
  retryAfter: string | undefined,
  nowMs: number,
): PushAttemptOutcome {
  if (status >= 200 && status < 300) return { kind: 'accepted' };
  const { fcmErrorCode, tokenFieldViolation } = fcmDetails(body);
  const error = (body as FcmErrorBody | undefined)?.error;
  const statusName = typeof error?.status === 'string' ? error.status : '';
  const code = fcmErrorCode ?? (statusName !== '' ? statusName : `HTTP_${status}`);
  const delay = retryAfterMs(retryAfter, nowMs);
  if (code === 'UNREGISTERED' || code === 'SENDER_ID_MISMATCH')
    return { kind: 'token_invalid', reason: code };
  if (status === 429 || status >= 500 || code === 'QUOTA_EXCEEDED' || code === 'UNAVAILABLE') {
    return delay === undefined
      ? { kind: 'retry', reason: code }
      : { kind: 'retry', reason: code, retryAfterMs: delay };
  }
  if (status === 401) return { kind: 'retry', reason: code, refreshAuth: true };
  if (code === 'INVALID_ARGUMENT') {
    const message = typeof error?.message === 'string' ? error.message : '';
    if (tokenFieldViolation || /registration token/i.test(message)) {
      return { kind: 'token_invalid', reason: 'INVALID_ARGUMENT' };
    }
  }
  return { kind: 'rejected', reason: code };
}

/** APNs reasons that mean the device token is dead (or not for this app) and must be removed. */
const APNS_INVALID_TOKEN_REASONS = new Set(['BadDeviceToken', 'DeviceTokenNotForTopic', 'Unregistered']);

/**
 * An APNs answer. 410 (`Unregistered`, `ExpiredToken`) and 400 `BadDeviceToken` / `DeviceTokenNotForTopic`
 * remove the token; 429 (`TooManyRequests`), 500 and 503 are retried; 403 `ExpiredProviderToken` means our
 * JWT is too old: sign a new one and retry. Anything else (a malformed request, a bad key) is rejected.
 */
export function classifyApnsResponse(
  status: number,
  body: unknown,
  retryAfter: string | undefined,
  nowMs: number,
): PushAttemptOutcome {
  if (status === 200) return { kind: 'accepted' };
  const reasonField = (body as { reason?: unknown } | undefined)?.reason;
  const reason = typeof reasonField === 'string' && reasonField !== '' ? reasonField : `HTTP_${status}`;
  if (status === 410) return { kind: 'token_invalid', reason };
  if (status === 400 && APNS_INVALID_TOKEN_REASONS.has(reason)) return { kind: 'token_invalid', reason };
  if (status === 429 || status >= 500) {
    const delay = retryAfterMs(retryAfter, nowMs);
    return delay === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs: delay };
  }
  if (status === 403 && reason === 'ExpiredProviderToken')
    return { kind: 'retry', reason, refreshAuth: true };
  return { kind: 'rejected', reason };
}
