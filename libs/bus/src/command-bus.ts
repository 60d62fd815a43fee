import {
  ClosedConnectionError,
  DrainingConnectionError,
  headers as natsHeaders,
  type MsgHdrs,
  NoRespondersError,
  type NatsConnection,
  RequestError,
  TimeoutError,
} from '@nats-io/nats-core';
import { decodeCommandReply, encodeCommandPayload } from './command-envelope.js';
import {
  CommandRejectedError,
  CommandTimeoutError,
  CommandTransportError,
  InvalidBusOptionsError,
  NoCommandHandlerError,
} from './errors.js';

export const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;

export interface CommandRequestOptions {
  /** How long to wait for the reply; default the bus's default (5 s). */
  readonly timeoutMs?: number;
  /** Extra NATS headers, e.g. `traceparent`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Sends commands over core NATS request/reply. Returns the handler's result, or throws one of:
 * `CommandTimeoutError` and `NoCommandHandlerError` (retryable), `CommandRejectedError` (the handler's own
 * code and message), `InvalidCommandReplyError`, `CommandTransportError`.
 */
export class CommandBus {
  private readonly defaultTimeoutMs: number;

  constructor(
    private readonly connection: NatsConnection,
    options: { readonly defaultTimeoutMs?: number } = {},
  ) {
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    requirePositiveTimeout('defaultTimeoutMs', this.defaultTimeoutMs);
  }

  async request<TReply>(
    subject: string,
    payload: unknown,
    options: CommandRequestOptions = {},
  ): Promise<TReply> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    requirePositiveTimeout('timeoutMs', timeoutMs);
    let headers: MsgHdrs | undefined;
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      headers ??= natsHeaders();
      headers.set(name, value);
    }
    let replyBody: Uint8Array;
    try {
      const reply = await this.connection.request(subject, encodeCommandPayload(payload), {
        timeout: timeoutMs,
        ...(headers === undefined ? {} : { headers }),
      });
      replyBody = reply.data;
    } catch (error) {
      throw translateRequestError(subject, timeoutMs, error);
    }
    const reply = decodeCommandReply<TReply>(subject, replyBody);
    if (!reply.ok) throw new CommandRejectedError(subject, reply.error);
    return reply.result;
  }
}

function translateRequestError(subject: string, timeoutMs: number, error: unknown): Error {
  if (error instanceof TimeoutError) return new CommandTimeoutError(subject, timeoutMs, { cause: error });
  if (error instanceof NoRespondersError || (error instanceof RequestError && error.isNoResponders())) {
    return new NoCommandHandlerError(subject, { cause: error });
  }
  if (
    error instanceof ClosedConnectionError ||
    error instanceof DrainingConnectionError ||
    error instanceof RequestError
  ) {
    return new CommandTransportError(subject, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

function requirePositiveTimeout(option: string, value: number): void {
  if (!Number.isFinite(value) || value < 1) throw new InvalidBusOptionsError(option, 'must be at least 1 ms');
}
