// Types for the parts of janode 1.8 (ESM, ships no types) that Ringbus uses: media-orchestration and the
// telephony test kit both include this one file. Shapes follow janode's sources (src/janode.js,
// connection.js, session.js, handle.js, plugins/sip-plugin.js).

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

  export interface JanodeJsep {
    readonly type: 'offer' | 'answer';
    readonly sdp: string;
    readonly e2ee?: boolean;
  }

  /** A raw Janus message as it arrives on the WebSocket. */
  export interface JanusMessage {
    readonly janus: string;
    readonly transaction?: string;
    readonly session_id?: number;
    readonly sender?: number;
    readonly plugindata?: { readonly plugin: string; readonly data: Record<string, unknown> };
    readonly jsep?: JanodeJsep;
    readonly [key: string]: unknown;
  }

  export interface PluginDescriptor<H> {
    readonly id: string;
    readonly Handle?: new (...args: never[]) => H;
    readonly EVENT?: Readonly<Record<string, string>>;
  }

  export interface JanodeHandle extends EventEmitter {
    readonly id: number;
    /** janode's dispatch of plugin messages; returns a falsy value for events the plugin wrapper ignores. */
    handleMessage(message: JanusMessage): unknown;
    message(body: Record<string, unknown>, jsep?: JanodeJsep): Promise<JanusMessage>;
    hangup(): Promise<void>;
    detach(): Promise<void>;
  }

  export interface JanodeSession extends EventEmitter {
    readonly id: number;
    attach<H>(plugin: PluginDescriptor<H>): Promise<H>;
    destroy(): Promise<void>;
  }

  export interface JanodeConnection extends EventEmitter {
    /** A new Janus session, kept alive with a keepalive every `keepaliveIntervalSecs` (default 30). */
    create(keepaliveIntervalSecs?: number): Promise<JanodeSession>;
    getInfo(): Promise<Record<string, unknown>>;
    close(): Promise<void>;
  }

  const Janode: {
    connect(config: JanodeConfig | readonly JanodeConfig[], key?: number | string): Promise<JanodeConnection>;
    readonly Logger: { setLevel(level: string): string };
    readonly EVENT: {
      readonly CONNECTION_CLOSED: 'connection_closed';
      readonly SESSION_DESTROYED: 'session_destroyed';
      readonly HANDLE_DETACHED: 'handle_detached';
      readonly HANDLE_ICE_FAILED: 'handle_ice_failed';
      readonly HANDLE_HANGUP: 'handle_hangup';
      readonly HANDLE_MEDIA: 'handle_media';
      readonly HANDLE_WEBRTCUP: 'handle_webrtcup';
      readonly HANDLE_SLOWLINK: 'handle_slowlink';
      readonly HANDLE_TRICKLE: 'handle_trickle';
      readonly CONNECTION_ERROR: 'connection_error';
    };
  };
  export default Janode;
}

declare module 'janode/plugins/sip' {
  import { type JanodeHandle, type JanodeJsep, type PluginDescriptor } from 'janode';

  export interface SipRegistered {
    readonly username: string;
    readonly register_sent: boolean;
  }

  export interface SipAccepted {
    readonly call_id?: string;
    readonly username?: string;
    readonly jsep?: JanodeJsep;
  }

  export interface SipCallEnded {
    readonly call_id?: string;
  }

  export interface SipHandle extends JanodeHandle {
    register(params: {
      type?: 'guest' | 'helper';
      send_register?: boolean;
      force_udp?: boolean;
      force_tcp?: boolean;
      username: string;
      secret?: string;
      ha1_secret?: string;
      display_name?: string;
      proxy?: string;
      outbound_proxy?: string;
      register_ttl?: number;
    }): Promise<SipRegistered>;
    /** Resolves on `accepted` (with the JSEP answer); rejects with e.g. `Error("486 Busy Here")`. */
    call(params: {
      uri: string;
      call_id?: string;
      authuser?: string;
      secret?: string;
      ha1_secret?: string;
      jsep?: JanodeJsep;
    }): Promise<SipAccepted>;
    accept(params: { jsep?: JanodeJsep }): Promise<SipAccepted>;
    sip_hangup(): Promise<SipCallEnded>;
    decline(): Promise<SipCallEnded>;
  }

  const SipPlugin: PluginDescriptor<SipHandle> & {
    readonly id: 'janus.plugin.sip';
    readonly EVENT: {
      readonly SIP_REGISTERING: 'sip_registering';
      readonly SIP_CALLING: 'sip_calling';
      readonly SIP_RINGING: 'sip_ringing';
      readonly SIP_PROCEEDING: 'sip_proceeding';
      readonly SIP_INCOMING: 'sip_incoming';
      readonly SIP_HANGUP: 'sip_hangup';
      readonly SIP_MISSED: 'sip_missed';
      readonly SIP_INFO: 'sip_info';
      readonly SIP_DTMF: 'sip_dtmf';
    };
  };
  export default SipPlugin;
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
    /** Core `trickle` of one ICE candidate; no candidate sends `{completed: true}`. */
    trickle(candidate?: Readonly<Record<string, unknown>>): Promise<unknown>;
    detach(): Promise<void>;
  }
}
