import { RingbusError } from '@ringbus/errors';
import type { ErrorResponse } from './responses.js';
import type { Transaction } from './wire-values.js';

/**
 * Why a client message was refused. Each code maps to one treatment:
 * - the message cannot be answered (no JSON, no kind, no transaction): the server closes the socket;
 * - it can (it carried a transaction): the server sends `response` and keeps the socket open. The public
 *   clients turn an error response into a failed request, but treat 4600 as an unexpected disconnect
 *   (the Vue dialer shows a session error), so answering is preferred whenever possible.
 */
export const ProtocolErrorCode = {
  malformedJson: 'MALFORMED_JSON',
  notAnObject: 'NOT_AN_OBJECT',
  unknownMessageKind: 'UNKNOWN_MESSAGE_KIND',
  unexpectedMessageKind: 'UNEXPECTED_MESSAGE_KIND',
  unknownHandshake: 'UNKNOWN_HANDSHAKE',
  missingTransaction: 'MISSING_TRANSACTION',
  unknownRequest: 'UNKNOWN_REQUEST',
  missingElement: 'MISSING_ELEMENT',
  invalidElement: 'INVALID_ELEMENT',
} as const;
export type ProtocolErrorCodeValue = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

export interface ProtocolIssue {
  /** Dotted path into the message, e.g. `jsep.sdp`; empty for the message itself. */
  readonly path: string;
  readonly message: string;
}

export interface ProtocolErrorDetails {
  /** The WebSocket close code for this error, used when there is no `response` to send. */
  readonly closeCode: number;
  /** A close reason within the 123-byte WebSocket limit. */
  readonly closeReason: string;
  /** The error response to send instead of closing, when the message carried a transaction. */
  readonly response?: ErrorResponse;
  readonly request?: string;
  readonly transaction?: Transaction;
  readonly issues?: readonly ProtocolIssue[];
  readonly cause?: unknown;
}

export class ProtocolError extends RingbusError<ProtocolErrorCodeValue> {
  // The same bytes will never parse: resending them cannot help.
  readonly retryable = false;
  readonly closeCode: number;
  readonly closeReason: string;
  readonly response: ErrorResponse | undefined;
  readonly request: string | undefined;
  readonly transaction: Transaction | undefined;
  readonly issues: readonly ProtocolIssue[];

  constructor(
    readonly code: ProtocolErrorCodeValue,
    message: string,
    details: ProtocolErrorDetails,
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.closeCode = details.closeCode;
    this.closeReason = details.closeReason;
    this.response = details.response;
    this.request = details.request;
    this.transaction = details.transaction;
    this.issues = details.issues ?? [];
  }
}

/**
 * An outgoing message does not match the protocol (e.g. a `transfer` event with a numeric `refer_id`, which
 * the public clients would drop). A programming error on the sending side, never sent on the wire.
 */
export class InvalidOutgoingMessageError extends RingbusError {
  readonly code = 'INVALID_OUTGOING_MESSAGE';
  readonly retryable = false;
  constructor(
    message: string,
    readonly issues: readonly ProtocolIssue[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A message from the server that a client cannot read (not JSON, unknown kind, wrong fields). */
export class MalformedServerMessageError extends RingbusError {
  readonly code = 'MALFORMED_SERVER_MESSAGE';
  readonly retryable = false;
  constructor(
    message: string,
    readonly issues: readonly ProtocolIssue[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
