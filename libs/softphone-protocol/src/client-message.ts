import { keepaliveHandshakeSchema, type KeepaliveHandshake } from './handshakes.js';
import {
  InvalidOutgoingMessageError,
  ProtocolError,
  ProtocolErrorCode,
  type ProtocolIssue,
} from './protocol-error.js';
import { isRequestName, requestSchemas, type ClientRequest } from './requests.js';
import type { ErrorResponse } from './responses.js';
import {
  fitCloseReason,
  isJsonObject,
  jsonDepthExceeds,
  quoteName,
  schemaIssues,
  toProtocolIssues,
  valueAt,
} from './schema-issues.js';
import { CloseCode, ResponseErrorCode } from './wire-constants.js';
import { callIdSchema, lineSchema, type Transaction } from './wire-values.js';

/** What a softphone may send: a keep-alive or a request. */
export type ClientMessage = KeepaliveHandshake | ClientRequest;

// Echoing a transaction means serializing it again; a bounded depth keeps that from exhausting the stack.
const MAX_TRANSACTION_DEPTH = 32;

/**
 * Reads one text frame from a softphone. Throws ProtocolError, and nothing else, for any input that is not
 * a valid client message; the error says whether to answer (`response`) or close (`closeCode`).
 */
export function parseClientMessage(text: string): ClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw closing(
      ProtocolErrorCode.malformedJson,
      'message is not valid JSON',
      CloseCode.socketMessageError,
      {
        cause,
      },
    );
  }
  if (!isJsonObject(value)) {
    throw closing(
      ProtocolErrorCode.notAnObject,
      'message is not a JSON object',
      CloseCode.socketMessageError,
    );
  }
  if (Object.hasOwn(value, 'request')) return parseRequest(value);
  if (Object.hasOwn(value, 'handshake')) return parseHandshake(value);
  if (Object.hasOwn(value, 'response') || Object.hasOwn(value, 'event')) {
    throw closing(
      ProtocolErrorCode.unexpectedMessageKind,
      'clients send requests and keep-alives, not responses or events',
      CloseCode.signalingMessageError,
    );
  }
  throw closing(
    ProtocolErrorCode.unknownMessageKind,
    'message has none of the keys handshake, request',
    CloseCode.signalingMessageError,
  );
}

function parseHandshake(value: Record<string, unknown>): KeepaliveHandshake {
  const kind = value['handshake'];
  if (kind === 'state') {
    throw closing(
      ProtocolErrorCode.unexpectedMessageKind,
      'the state handshake is sent by the server only',
      CloseCode.signalingMessageError,
    );
  }
  const parsed = keepaliveHandshakeSchema.safeParse(value);
  if (!parsed.success) {
    throw closing(
      ProtocolErrorCode.unknownHandshake,
      `unknown handshake ${quoteName(kind)}`,
      CloseCode.signalingMessageError,
      { issues: toProtocolIssues(schemaIssues(parsed.error, value)) },
    );
  }
  return parsed.data;
}

function parseRequest(value: Record<string, unknown>): ClientRequest {
  const name = value['request'];
  const transaction = answerableTransaction(value['transaction']);
  if (!isRequestName(name)) {
    const message = `unknown request ${quoteName(name)}`;
    throw new ProtocolError(ProtocolErrorCode.unknownRequest, message, {
      closeCode: CloseCode.requestUnknown,
      closeReason: fitCloseReason(message),
      response:
        transaction === undefined
          ? undefined
          : errorResponse(
              value,
              transaction,
              ResponseErrorCode.unknownRequest,
              `Unknown request (${quoteName(name)})`,
            ),
      request: typeof name === 'string' ? name : undefined,
      transaction,
    });
  }
  if (transaction === undefined) {
    const message =
      value['transaction'] === undefined || value['transaction'] === null
        ? `request ${name} has no transaction`
        : `request ${name} has a transaction nested deeper than ${MAX_TRANSACTION_DEPTH} levels`;
    throw closing(ProtocolErrorCode.missingTransaction, message, CloseCode.signalingMessageError, {
      request: name,
    });
  }
  const parsed = requestSchemas[name].safeParse(value);
  if (parsed.success) return parsed.data;

  const found = schemaIssues(parsed.error, value);
  const issues = toProtocolIssues(found);
  const first = found[0];
  const firstPath = first?.path ?? [];
  const missing = valueAt(value, firstPath) === undefined;
  const element = firstPath.map(String).join('.') || 'request';
  const [code, responseCode, reason] = missing
    ? [
        ProtocolErrorCode.missingElement,
        ResponseErrorCode.missingMandatoryElement,
        `Missing mandatory element (${element})`,
      ]
    : [
        ProtocolErrorCode.invalidElement,
        ResponseErrorCode.invalidElementType,
        `Invalid element type (${element}: ${first?.message ?? 'invalid'})`,
      ];
  const message = `request ${name}: ${reason}`;
  throw new ProtocolError(code, message, {
    closeCode: CloseCode.signalingMessageError,
    closeReason: fitCloseReason(message),
    response: errorResponse(value, transaction, responseCode, reason),
    request: name,
    transaction,
    issues,
  });
}

/** The transaction to echo, or undefined when there is none the server could answer. */
function answerableTransaction(raw: unknown): Transaction | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (jsonDepthExceeds(raw, MAX_TRANSACTION_DEPTH)) return undefined;
  return raw as Transaction;
}

/** An error response echoing the request's transaction, and its line and call id when those are valid. */
function errorResponse(
  value: Record<string, unknown>,
  transaction: Transaction,
  code: number,
  reason: string,
): ErrorResponse {
  const line = lineSchema.safeParse(value['line']);
  const callId = callIdSchema.safeParse(value['call_id']);
  return {
    response: 'error',
    transaction,
    ...(Object.hasOwn(value, 'line') && line.success ? { line: line.data } : {}),
    ...(callId.success ? { call_id: callId.data } : {}),
    code,
    reason,
  };
}

function closing(
  code: (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode],
  message: string,
  closeCode: number,
  extra: { cause?: unknown; issues?: readonly ProtocolIssue[]; request?: string } = {},
): ProtocolError {
  return new ProtocolError(code, message, { closeCode, closeReason: fitCloseReason(message), ...extra });
}

/** Serializes a message a client sends, refusing one the server would reject. */
export function encodeClientMessage(message: ClientMessage): string {
  const parsed =
    'request' in message
      ? isRequestName(message.request)
        ? requestSchemas[message.request].safeParse(message)
        : undefined
      : keepaliveHandshakeSchema.safeParse(message);
  if (parsed === undefined) {
    throw new InvalidOutgoingMessageError(
      `unknown request ${quoteName((message as { request: unknown }).request)}`,
      [],
    );
  }
  if (!parsed.success) {
    const issues = toProtocolIssues(schemaIssues(parsed.error, message));
    throw new InvalidOutgoingMessageError(
      `client message does not match the protocol: ${issues.map((i) => `${i.path || '(message)'}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  // The message itself, not the parse result: the parse drops keys it does not know and would add defaults.
  return JSON.stringify(message);
}
