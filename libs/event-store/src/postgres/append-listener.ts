import pg from 'pg';
import { EventStoreMigrationError } from '../errors.js';
import { toStoreError } from './postgres-errors.js';
import { APPEND_CHANNEL_SQL } from './statements.js';

export interface AppendListener {
  /** Stops listening and ends the dedicated connection; `onAppend` is not called afterwards. */
  close(): Promise<void>;
}

export interface ListenForAppendsOptions {
  /** Reconnection back-off after the connection drops (default 100 ms doubling up to 5 s, ±20 % jitter). */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Told about every lost connection or failed reconnection, with the delay before the next attempt. */
  readonly onConnectionLost?: (error: unknown, retryInMs: number) => void;
}

/**
 * Calls `onAppend` whenever a PostgreSQL event store in the same schema commits an append: LISTENs on the
 * schema's channel over a dedicated connection (not one of the pool's) with the pool's settings, so the
 * same `search_path`. Notifications are hints that can coalesce or be lost, never data: the caller reads
 * what is new with `readAll`. When the connection drops, it reconnects with back-off and calls `onAppend`
 * once listening again, since notifications sent meanwhile are lost. Resolves once listening; rejects
 * (`StoreUnavailableError` when unreachable) if the first connection fails.
 */
export async function listenForAppends(
  source: pg.Pool | pg.ClientConfig | string,
  onAppend: () => void,
  options: ListenForAppendsOptions = {},
): Promise<AppendListener> {
  const listener = new ReconnectingAppendListener(clientConfig(source), onAppend, options);
  await listener.start();
  return listener;
}

function clientConfig(source: pg.Pool | pg.ClientConfig | string): pg.ClientConfig {
  if (typeof source === 'string') return { connectionString: source };
  if (isPool(source)) return { ...source.options };
  return source;
}

function isPool(source: pg.Pool | pg.ClientConfig): source is pg.Pool {
  return typeof (source as { connect?: unknown }).connect === 'function' && 'options' in source;
}

class ReconnectingAppendListener implements AppendListener {
  private client: pg.Client | undefined;
  private closed = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | undefined;
  private readonly initialMs: number;
  private readonly maxMs: number;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly onAppend: () => void,
    private readonly options: ListenForAppendsOptions,
  ) {
    this.initialMs = options.backoff?.initialMs ?? 100;
    this.maxMs = Math.max(this.initialMs, options.backoff?.maxMs ?? 5_000);
  }

  async start(): Promise<void> {
    this.client = await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.attempt;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<pg.Client> {
    // Keep-alive lets the operating system notice a silently dead peer, which no NOTIFY would reveal.
    const client = new pg.Client({ ...this.config, keepAlive: true });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the LISTEN connection ended')));
    client.on('notification', () => {
      if (!this.closed && client === this.client) this.onAppend();
    });
    try {
      await client.connect();
      const { rows } = await client.query<{ channel: string | null }>(
        `select ${APPEND_CHANNEL_SQL} as channel`,
      );
      const channel = rows[0]?.channel ?? null;
      if (channel === null) {
        throw new EventStoreMigrationError(
          'the LISTEN connection has no current schema: set its search_path to the event store schema',
        );
      }
      await client.query(`LISTEN "${channel}"`);
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      throw toStoreError(error);
    }
  }

  private lost(client: pg.Client, error: unknown): void {
    // A connection still being set up reports through connect(); a replaced one no longer matters.
    if (this.closed || client !== this.client) return;
    this.client = undefined;
    void client.end().catch(() => {});
    this.scheduleReconnect(error);
  }

  private scheduleReconnect(error: unknown): void {
    this.failures++;
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures - 1, 30));
    const delayMs = Math.round(ceiling * (0.8 + 0.4 * Math.random()));
    this.options.onConnectionLost?.(error, delayMs);
    this.retryTimer = setTimeout(() => {
      this.attempt = this.reconnect();
    }, delayMs);
  }

  private async reconnect(): Promise<void> {
    let client: pg.Client;
    try {
      client = await this.connect();
    } catch (error) {
      if (!this.closed) this.scheduleReconnect(error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.failures = 0;
    // Appends committed while no one listened sent notifications that are gone.
    this.onAppend();
  }
}
