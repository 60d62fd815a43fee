// Types for the parts of janode 1.8 (ESM, ships no types) that media-orchestration uses. Shapes follow
// janode's sources: src/janode.js, connection.js, session.js, handle.js.

declare module 'janode' {
  import { type EventEmitter } from 'node:events';

  export interface JanusServerAddress {
    readonly url: string;
    readonly apisecret?: string;
    readonly token?: string;
  }

  export interface JanodeConfig {
    readonly address: JanusServerAddress | readonly JanusServerAddress[];
    readonly retry_time_secs?: number;
    readonly max_retries?: number;
    readonly is_admin?: boolean;
    readonly ws_options?: Record<string, unknown>;
  }

  /** A raw Janus message as it arrives on the WebSocket. */
  export interface JanusMessage {
    readonly janus: string;
    readonly transaction?: string;
    readonly session_id?: number;
    readonly sender?: number;
    readonly plugindata?: { readonly plugin: string; readonly data: Record<string, unknown> };
    readonly jsep?: { readonly type: 'offer' | 'answer'; readonly sdp: string };
    readonly [key: string]: unknown;
  }

  export interface JanodeSession extends EventEmitter {
    readonly id: number;
    attach<H>(plugin: {
      readonly id: string;
      readonly Handle?: new (session: JanodeSession, id: number) => H;
    }): Promise<H>;
    destroy(): Promise<void>;
  }

  export interface JanodeConnection extends EventEmitter {
    /** A new Janus session, kept alive with a keepalive every `keepaliveIntervalSecs` (default 30). */
    create(keepaliveIntervalSecs?: number): Promise<JanodeSession>;
    close(): Promise<void>;
  }

  const Janode: {
    connect(config: JanodeConfig): Promise<JanodeConnection>;
    readonly Logger: { setLevel(level: string): string };
    readonly EVENT: {
      readonly CONNECTION_CLOSED: 'connection_closed';
      readonly CONNECTION_ERROR: 'connection_error';
      readonly SESSION_DESTROYED: 'session_destroyed';
      readonly HANDLE_DETACHED: 'handle_detached';
      readonly HANDLE_HANGUP: 'handle_hangup';
      readonly HANDLE_WEBRTCUP: 'handle_webrtcup';
    };
  };
  export default Janode;
}

declare module 'janode/handle' {
  import { type EventEmitter } from 'node:events';
  import { type JanodeSession, type JanusMessage } from 'janode';

  /** janode's base handle: plugins subclass it and override `handleMessage`. */
  export default class Handle extends EventEmitter {
    constructor(session: JanodeSession, id: number);
    readonly id: number;
    readonly session: JanodeSession;
    /**
     * Called for every plugin `event` on this handle; a falsy return makes janode reject the pending
     * request with "unmanaged event".
     */
    handleMessage(message: JanusMessage): unknown;
    /** Adds `transaction` and `handle_id` to a request. */
    decorateRequest(request: Record<string, unknown>): void;
    /** Sends a request and settles when its transaction closes (or after `timeoutMs`, when above 0). */
    sendRequest(request: Record<string, unknown>, timeoutMs?: number): Promise<JanusMessage>;
    ownsTransaction(transaction: string): boolean;
    closeTransactionWithSuccess(transaction: string, data?: unknown): void;
    closeTransactionWithError(transaction: string, error: Error): void;
    detach(): Promise<void>;
  }
}
