import type { ClientOptions as WebSocketOptions } from 'ws';
import { z } from 'zod';
import { ClientStateError } from './client-errors.js';

const optionsSchema = z.object({
  /** How long a request waits for its response. The Flutter app waits 10 s, the Vue dialer 5 s. */
  requestTimeoutMs: z.int().positive().default(10_000),
  /** How long `connect` waits for the socket to open and the `state` handshake to arrive. */
  handshakeTimeoutMs: z.int().positive().default(10_000),
  /** Send keep-alives (on by default). Off lets a test watch the server's keep-alive timeout (4502). */
  keepalive: z.boolean().default(true),
  /** Overrides the server's `keepalive_interval`. */
  keepaliveIntervalMs: z.int().positive().optional(),
  /** How many received events `waitForEvent` can look back on. */
  eventHistoryLimit: z.int().positive().default(1000),
  /** How long `close` waits for the server's close frame before dropping the connection. */
  closeTimeoutMs: z.int().positive().default(2000),
});

export type SoftphoneClientOptions = z.input<typeof optionsSchema> & {
  /** Passed to `ws` (headers, TLS options, …); the subprotocol and event delivery are the client's own. */
  readonly webSocket?: WebSocketOptions;
};
export type ResolvedClientOptions = Readonly<z.output<typeof optionsSchema>> & {
  readonly webSocket: WebSocketOptions;
};

export function resolveClientOptions(options: SoftphoneClientOptions = {}): ResolvedClientOptions {
  const { webSocket, ...rest } = options;
  const parsed = optionsSchema.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ClientStateError(
      'INVALID_OPTIONS',
      `invalid softphone client option ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      { cause: parsed.error },
    );
  }
  return Object.freeze({ ...parsed.data, webSocket: webSocket ?? {} });
}
