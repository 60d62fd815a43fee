import { RingbusError } from '@ringbus/errors';
import { CloseCode, closeCodeName, ResponseErrorCode } from '@ringbus/softphone-protocol';

/** Every error the client SDK throws or reports: a stable `code`, whether to retry, and the cause. */
export abstract class SoftphoneClientError extends RingbusError {}

// SIP/Janus answers that say "not now" rather than "no".
const RETRYABLE_RESPONSE_CODES: ReadonlySet<number> = new Set([
  ResponseErrorCode.notAcceptingNewSessions,
  480, // Temporarily Unavailable
  503, // Service Unavailable
]);

/** The server answered a request with `{"response":"error"}`. */
export class SignalingRequestError extends SoftphoneClientError {
  readonly code = 'REQUEST_REJECTED';
  readonly retryable: boolean;
  constructor(
    readonly request: string,
    /** The response's numeric code: Janus-style (4xx) or a SIP response code. */
    readonly responseCode: number,
    readonly reason: string,
    readonly transaction: string,
  ) {
    super(`${request} was rejected: ${responseCode} ${reason}`);
    this.retryable = RETRYABLE_RESPONSE_CODES.has(responseCode);
  }
}

export type SignalingTimeoutCode =
  'REQUEST_TIMEOUT' | 'KEEPALIVE_TIMEOUT' | 'HANDSHAKE_TIMEOUT' | 'EVENT_TIMEOUT';

/** Something the client waited for did not come in time. */
export class SignalingTimeoutError extends SoftphoneClientError {
  readonly retryable = true;
  constructor(
    readonly code: SignalingTimeoutCode,
    message: string,
    readonly timeoutMs: number,
  ) {
    super(`${message} within ${timeoutMs} ms`);
  }
}

// Closes after which reconnecting the same way cannot succeed: the session is gone, another socket owns it,
// or the subscriber's data is missing.
const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.sessionMissed,
  CloseCode.alreadyAttached,
  CloseCode.evictedByForce,
  CloseCode.subscriberDataError,
  CloseCode.subscriberMissed,
  CloseCode.subscriberCredentialsMissed,
]);

export type ClosedBy = 'server' | 'client';

export interface CloseInfo {
  /** The WebSocket close code (1006 when the connection dropped without a close frame). */
  readonly code: number;
  readonly reason: string;
  /** The WTSP name of the code, when it has one (`evictedByForce` for 4441). */
  readonly codeName: string | undefined;
  readonly closedBy: ClosedBy;
  /** Why the client closed the socket itself (keep-alive lost), when it did. */
  readonly error?: SoftphoneClientError;
}

/** The socket closed: thrown to pending requests and waiters, and by requests made afterwards. */
export class SignalingClosedError extends SoftphoneClientError {
  readonly code = 'SOCKET_CLOSED';
  readonly retryable: boolean;
  readonly closeCode: number;
  readonly closeReason: string;
  constructor(
    readonly close: CloseInfo,
    what = 'signaling socket closed',
  ) {
    super(
      `${what}: ${close.code}${close.codeName === undefined ? '' : ` (${close.codeName})`}${close.reason === '' ? '' : ` ${close.reason}`}`,
      close.error === undefined ? undefined : { cause: close.error },
    );
    this.closeCode = close.code;
    this.closeReason = close.reason;
    this.retryable = !FINAL_CLOSE_CODES.has(close.code) && close.code !== CloseCode.normal;
  }
}

/** The socket could not be opened: network error, or the server refused the upgrade. */
export class SignalingConnectError extends SoftphoneClientError {
  readonly code = 'CONNECT_FAILED';
  readonly retryable: boolean;
  constructor(
    message: string,
    /** HTTP status of a refused upgrade (e.g. 401 bad token, 400 missing subprotocol). */
    readonly httpStatus?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = httpStatus === undefined || httpStatus >= 500;
  }
}

/** The server sent something that is not WTSP. Reported on `protocolError`; the socket stays open. */
export class SignalingProtocolViolationError extends SoftphoneClientError {
  readonly code = 'PROTOCOL_VIOLATION';
  readonly retryable = false;
  constructor(
    message: string,
    /** The offending frame, cut to 512 characters. */
    readonly frame: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type ClientStateCode = 'NOT_CONNECTED' | 'ALREADY_CONNECTED' | 'INVALID_OPTIONS';

/** The client was used out of order (a request before the state handshake, a second connect) or misconfigured. */
export class ClientStateError extends SoftphoneClientError {
  readonly retryable = false;
  constructor(
    readonly code: ClientStateCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function closeInfo(
  code: number,
  reason: string,
  closedBy: ClosedBy,
  error?: SoftphoneClientError,
): CloseInfo {
  return { code, reason, codeName: closeCodeName(code), closedBy, ...(error === undefined ? {} : { error }) };
}
