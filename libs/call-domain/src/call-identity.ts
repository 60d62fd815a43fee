import { RingbusError } from '@ringbus/errors';

export type CallIdErrorCode = 'INVALID_CALL_ID' | 'INVALID_SIP_DOMAIN';

export class CallIdError extends RingbusError<CallIdErrorCode> {
  // A malformed id stays malformed: fix the caller.
  readonly retryable = false;
  constructor(
    readonly code: CallIdErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// Lowercase canonical UUIDv7, as Ringbus mints them: the version nibble is 7, the variant bits 10.
const CALL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
// A host name or address literal for the Call-ID's `@host` part: letters, digits, dots, dashes.
const SIP_DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
// Marks Call-IDs that Ringbus minted, so a SIP trace tells ours from the carrier's at a glance.
const SIP_CALL_ID_PREFIX = 'rb-';
const CALL_STREAM_PREFIX = 'call-';

export function isCallId(value: string): boolean {
  return CALL_ID.test(value);
}

function requireCallId(callId: string): void {
  if (!isCallId(callId)) {
    throw new CallIdError('INVALID_CALL_ID', `${JSON.stringify(callId)} is not a lowercase UUIDv7 call id`);
  }
}

/** The event stream of one call: `call-<callId>`. */
export function callStreamId(callId: string): string {
  requireCallId(callId);
  return `${CALL_STREAM_PREFIX}${callId}`;
}

/** The call id of a call stream, or undefined for any other stream. */
export function callIdOfStream(streamId: string): string | undefined {
  if (!streamId.startsWith(CALL_STREAM_PREFIX)) return undefined;
  const callId = streamId.slice(CALL_STREAM_PREFIX.length);
  return isCallId(callId) ? callId : undefined;
}

/**
 * The SIP Call-ID Ringbus sends for a call: `rb-<callId>[@<domain>]`.
 *
 * Derived, not drawn: the callId is a UUIDv7 minted once per call, so the Call-ID is as unique as the
 * call itself, and every gateway, every restart and every retry of the same call uses the same one.
 * Janus uses it verbatim and does not refuse duplicates, so this derivation is the uniqueness guarantee.
 */
export function sipCallIdFor(callId: string, domain?: string): string {
  requireCallId(callId);
  if (domain === undefined) return `${SIP_CALL_ID_PREFIX}${callId}`;
  if (!SIP_DOMAIN.test(domain)) {
    throw new CallIdError(
      'INVALID_SIP_DOMAIN',
      `${JSON.stringify(domain)} is not a host name for a SIP Call-ID`,
    );
  }
  return `${SIP_CALL_ID_PREFIX}${callId}@${domain}`;
}

/** True when `sipCallId` is what `sipCallIdFor(callId, someDomain)` gives, for any valid domain or none. */
export function isSipCallIdOf(sipCallId: string, callId: string): boolean {
  if (!isCallId(callId)) return false;
  const at = sipCallId.indexOf('@');
  const local = at < 0 ? sipCallId : sipCallId.slice(0, at);
  if (local !== `${SIP_CALL_ID_PREFIX}${callId}`) return false;
  return at < 0 || SIP_DOMAIN.test(sipCallId.slice(at + 1));
}
