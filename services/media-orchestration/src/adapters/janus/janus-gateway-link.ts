import Janode, { type JanodeConnection, type JanodeSession } from 'janode';
import { type ServiceLogger } from '@ringbus/service-kit';
import { type JanusGatewayConfig } from '../../config.js';
import { type ReconnectPolicy, reconnectDelayMs } from '../../domain/reconnect-backoff.js';
import { withTimeout } from './deadline.js';
import { SIP_PLUGIN_ID, SipLineHandle } from './sip-line-handle.js';

export type JanusGatewayState = 'connecting' | 'up' | 'down' | 'closed';

export interface JanusGatewayStatus {
  readonly id: string;
  readonly region: string;
  readonly capacity: number;
  readonly liveCalls: number;
  /** SIP handles attached and registered, waiting for a call. */
  readonly warmLines: number;
  /** SIP handles attached since the gateway connected: far fewer than calls when handles are reused. */
  readonly handlesAttached: number;
  readonly state: JanusGatewayState;
  readonly lastError: string | undefined;
}

export interface JanusGatewayLinkOptions {
  readonly requestTimeoutMs: number;
  readonly reconnect: ReconnectPolicy;
  /** How many idle SIP handles to keep ready (see warm lines in docs/media-orchestration.md). */
  readonly warmLines: number;
  /** The guest identity idle handles are registered with until a call gives them its own. */
  readonly warmIdentity: string;
  readonly logger: ServiceLogger;
}

// janode keeps the session alive with this interval; Janus's default session timeout is 60 s.
const SESSION_KEEPALIVE_SECS = 15;

/**
 * One gateway of the pool: its WebSocket connection, one Janus session that every call's SIP handle is
 * attached to, how many calls it carries, and a few warm SIP handles ready for the next calls. A lost
 * connection (or session) marks it down and starts reconnecting with back-off; the handles on it are
 * detached by janode, which ends their calls.
 */
export class JanusGatewayLink {
  private state: JanusGatewayState = 'down';
  private connection: JanodeConnection | undefined;
  private session: JanodeSession | undefined;
  private liveCalls = 0;
  private failedAttempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private lastError: string | undefined;
  private connecting: Promise<void> | undefined;
  private warm: SipLineHandle[] = [];
  private warming: Promise<void> | undefined;
  private handlesAttached = 0;
  /** Handles of ended calls waiting for Janus to close their PeerConnection before reuse. */
  private cooling = 0;
  private readonly forgetWhenDetached = new WeakMap<SipLineHandle, () => void>();

  constructor(
    readonly config: JanusGatewayConfig,
    private readonly options: JanusGatewayLinkOptions,
  ) {}

  get id(): string {
    return this.config.id;
  }

  get isUp(): boolean {
    return this.state === 'up';
  }

  status(): JanusGatewayStatus {
    const { id, region, capacity } = this.config;
    return {
      id,
      region,
      capacity,
      liveCalls: this.liveCalls,
      warmLines: this.warm.length,
      handlesAttached: this.handlesAttached,
      state: this.state,
      lastError: this.lastError,
    };
  }

  /**
   * Connects once and prepares the warm lines, so the first calls do not queue behind their making; on
   * failure the link stays down and keeps trying in the background.
   */
  async start(): Promise<void> {
    await this.connect();
    await this.warming;
  }

  /** Takes a slot for a call; the pool's selection checked there is one. */
  takeSlot(): void {
    this.liveCalls += 1;
  }

  giveSlotBack(): void {
    this.liveCalls = Math.max(0, this.liveCalls - 1);
  }

  /** Why calls on this gateway were lost, for the calls' end reason. */
  lossReason(): string {
    return `the connection to Janus gateway ${this.id} was lost${this.lastError === undefined ? '' : ` (${this.lastError})`}`;
  }

  /**
   * A SIP handle for a call: a warm one when there is one (its registration is redone in ~1 ms), else a
   * new one (whose first registration makes Janus 1.1 wait 100 ms in its one SIP request thread, holding
   * up every other request on the gateway). New handles are made only when fewer than half the warm
   * lines are left: ended calls give theirs back, so a steady call rate makes none at all.
   */
  async takeSipHandle(): Promise<SipLineHandle> {
    const warm = this.popWarm();
    if (this.warm.length + this.cooling < Math.ceil(this.options.warmLines / 2)) void this.refillWarmLines();
    return warm ?? this.attachSipHandle();
  }

  /**
   * A handle whose call ended cleanly: counted as coming back while Janus closes its PeerConnection, then
   * kept for a later call if the pool wants it, else detached.
   */
  recycle(handle: SipLineHandle, idle: Promise<boolean>): void {
    this.cooling += 1;
    void idle.then((reusable) => {
      this.cooling -= 1;
      if (
        reusable &&
        this.state === 'up' &&
        handle.session === this.session &&
        this.warm.length < this.options.warmLines
      ) {
        this.keepWarm(handle);
      } else {
        void handle.detach().catch(() => undefined);
      }
    });
  }

  /** A new SIP handle that the caller keeps (a registration's), not one from the warm lines. */
  attachDedicatedHandle(): Promise<SipLineHandle> {
    return this.attachSipHandle();
  }

  private async attachSipHandle(): Promise<SipLineHandle> {
    const session = this.session;
    if (this.state !== 'up' || session === undefined) throw new Error(`gateway ${this.id} is ${this.state}`);
    const handle = await withTimeout(
      session.attach({ id: SIP_PLUGIN_ID, Handle: SipLineHandle }),
      this.options.requestTimeoutMs,
      'attaching a SIP handle',
    );
    this.handlesAttached += 1;
    return handle;
  }

  private keepWarm(handle: SipLineHandle): void {
    const forget = (): void => {
      this.warm = this.warm.filter((kept) => kept !== handle);
    };
    this.warm.push(handle);
    this.forgetWhenDetached.set(handle, forget);
    handle.once(Janode.EVENT.HANDLE_DETACHED, forget);
  }

  private popWarm(): SipLineHandle | undefined {
    const handle = this.warm.pop();
    const forget = handle === undefined ? undefined : this.forgetWhenDetached.get(handle);
    if (handle !== undefined && forget !== undefined) {
      handle.off(Janode.EVENT.HANDLE_DETACHED, forget);
      this.forgetWhenDetached.delete(handle);
    }
    return handle;
  }

  /** Attaches and registers handles one at a time until `warmLines` wait idle (Janus does them serially anyway). */
  private refillWarmLines(): Promise<void> {
    this.warming ??= (async () => {
      try {
        while (this.state === 'up' && this.warm.length + this.cooling < this.options.warmLines) {
          const handle = await this.attachSipHandle();
          try {
            await handle.request(
              { request: 'register', type: 'guest', username: this.options.warmIdentity },
              this.options.requestTimeoutMs,
            );
          } catch (error) {
            await handle.detach().catch(() => undefined);
            throw error;
          }
          if (this.state !== 'up') {
            await handle.detach().catch(() => undefined);
            return;
          }
          this.keepWarm(handle);
        }
      } catch (error) {
        // A gateway going down fails the refill too; that is reported as the gateway's loss.
        if (this.state === 'up') {
          this.options.logger.warn({ gatewayId: this.id, err: error }, 'could not prepare a warm SIP handle');
        }
      } finally {
        this.warming = undefined;
      }
    })();
    return this.warming;
  }

  async close(): Promise<void> {
    this.state = 'closed';
    clearTimeout(this.reconnectTimer);
    await this.connecting?.catch(() => undefined);
    await this.warming;
    const connection = this.connection;
    this.connection = undefined;
    this.session = undefined;
    this.warm = [];
    await connection?.close().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connecting ??= this.openConnection().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async openConnection(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'connecting';
    const startedAt = Date.now();
    let connection: JanodeConnection | undefined;
    try {
      connection = await Janode.connect({
        address: {
          url: this.config.wsUrl,
          ...(this.config.apiSecret === undefined ? {} : { apisecret: this.config.apiSecret }),
        },
        max_retries: 0,
        retry_time_secs: 1,
        ws_options: { handshakeTimeout: this.options.requestTimeoutMs },
      });
      // Before the session exists, so that on a dead connection ours runs before the session's own
      // listener: the reason then names the connection, not the session it took down.
      const lost = (why: string) => () => this.lost(connection as JanodeConnection, why);
      connection.once(Janode.EVENT.CONNECTION_ERROR, lost('the WebSocket closed unexpectedly'));
      connection.once(Janode.EVENT.CONNECTION_CLOSED, lost('the WebSocket was closed'));
      const session = await withTimeout(
        connection.create(SESSION_KEEPALIVE_SECS),
        this.options.requestTimeoutMs,
        'creating a Janus session',
      );
      if ((this.state as JanusGatewayState) === 'closed') {
        await connection.close().catch(() => undefined);
        return;
      }
      this.connection = connection;
      this.session = session;
      session.once(Janode.EVENT.SESSION_DESTROYED, lost('Janus destroyed our session'));
      this.state = 'up';
      this.failedAttempts = 0;
      this.lastError = undefined;
      this.handlesAttached = 0;
      void this.refillWarmLines();
      this.options.logger.info(
        { gatewayId: this.id, region: this.config.region, connectMs: Date.now() - startedAt },
        'Janus gateway connected',
      );
    } catch (error) {
      await connection?.close().catch(() => undefined);
      this.lastError = (error as Error).message;
      this.scheduleReconnect();
    }
  }

  private lost(connection: JanodeConnection, why: string): void {
    if (this.connection !== connection || this.state === 'closed') return;
    this.connection = undefined;
    this.session = undefined;
    this.warm = [];
    this.lastError = why;
    this.options.logger.warn({ gatewayId: this.id, reason: why }, 'Janus gateway lost; its calls end');
    // The session may be gone while the WebSocket is fine: close it so nothing dangles, then reconnect.
    void connection.close().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.state === 'closed') return;
    this.state = 'down';
    this.failedAttempts += 1;
    const delayMs = reconnectDelayMs(this.failedAttempts, this.options.reconnect);
    this.options.logger.warn(
      { gatewayId: this.id, attempt: this.failedAttempts, delayMs, reason: this.lastError },
      'Janus gateway down; reconnecting',
    );
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), delayMs);
    this.reconnectTimer.unref();
  }
}
