import { type CommandRejection, InvalidCommandReplyError } from './errors.js';

/** The one reply shape of every command handler, so callers can tell a rejection from a broken reply. */
export type CommandReply<TResult = unknown> =
  { readonly ok: true; readonly result: TResult } | { readonly ok: false; readonly error: CommandRejection };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Commands travel as JSON; `undefined` travels as an empty body. */
export function encodeCommandPayload(payload: unknown): Uint8Array {
  return payload === undefined ? new Uint8Array(0) : encoder.encode(JSON.stringify(payload));
}

/** Throws `SyntaxError` when the body is not JSON. */
export function decodeCommandPayload(body: Uint8Array): unknown {
  return body.length === 0 ? undefined : (JSON.parse(decoder.decode(body)) as unknown);
}

export function encodeCommandReply(reply: CommandReply): Uint8Array {
  return encoder.encode(JSON.stringify(reply));
}

export function decodeCommandReply<TResult>(subject: string, body: Uint8Array): CommandReply<TResult> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(body));
  } catch (cause) {
    throw new InvalidCommandReplyError(subject, 'body is not JSON', { cause });
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new InvalidCommandReplyError(subject, 'body is not a JSON object');
  }
  const reply = parsed as { ok?: unknown; result?: unknown; error?: unknown };
  if (reply.ok === true) return { ok: true, result: reply.result as TResult };
  if (reply.ok !== false) throw new InvalidCommandReplyError(subject, '`ok` is neither true nor false');
  const error = reply.error as { code?: unknown; message?: unknown; retryable?: unknown } | null | undefined;
  if (
    typeof error !== 'object' ||
    error === null ||
    typeof error.code !== 'string' ||
    typeof error.message !== 'string'
  ) {
    throw new InvalidCommandReplyError(subject, 'a failed reply has no error code and message');
  }
  return {
    ok: false,
    error: { code: error.code, message: error.message, retryable: error.retryable === true },
  };
}
