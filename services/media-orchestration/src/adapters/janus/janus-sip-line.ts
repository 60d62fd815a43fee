import { setTimeout as sleep } from 'node:timers/promises';
import Janode from 'janode';
import { type SipLegEvent } from '../../domain/sip-leg-event.js';
import { type SipLine } from '../../app/ports.js';
import { SipHandleRequests } from './sip-handle-requests.js';
import { type SipLineHandle } from './sip-line-handle.js';

/** What a line needs from the gateway it runs on. */
export interface SipLineHome {
  readonly gatewayId: string;
  readonly region: string;
  readonly requestTimeoutMs: number;
  /** The call's slot on the gateway is free again. */
  slotFreed(): void;
  /**
   * Takes back a handle whose call ended cleanly, to reuse once `idle` says Janus closed the call's
   * PeerConnection (true), or to detach (false).
   */
  recycle(handle: SipLineHandle, idle: Promise<boolean>): void;
  /** Why the handle vanished, when it vanished without our release (the gateway's last error). */
  lossReason(): string;
  /**
   * The handle outlives its calls (a registered handle): `recycle` gets it after every call, even one
   * that ended without Janus's `hangup`, never a detach.
   */
  readonly keepsHandle?: boolean;
}

// After the plugin's `hangup`, the core closes the PeerConnection (`hangup` "Close PC"). A handle is reused
// only after that, so a new PeerConnection never meets the remains of the old one (an offer with ICE
// credentials the handle had just used failed with "Error setting ICE locally"). How long to wait for it
// before detaching the handle instead.
const PEER_CONNECTION_CLOSE_WAIT_MS = 2_000;
// A call that had SIP media (an answer or early media) ran a relay thread in Janus 1.1 that polls with a
// 1 s timeout and only then notices its call ended; a new call on the handle before it left races it for
// the media sockets, and the new call gets no RTP (seen in our tests). So such a handle rests this long
// after the `hangup` before it carries another call.
const SIP_RELAY_THREAD_EXIT_MS = 1_500;

/**
 * A SIP plugin handle on one gateway, carrying one call. When the call ended the way SIP calls end (the
 * plugin's `hangup`, then the core's PeerConnection close), the handle goes back to its gateway for the
 * next call: a new handle costs Janus 1.1 a 100 ms wait in its one SIP request thread (see
 * docs/media-orchestration.md), an old one is re-registered in about 1 ms.
 */
export class JanusSipLine extends SipHandleRequests implements SipLine {
  private listener: ((event: SipLegEvent) => void) | undefined;
  private released = false;
  private slotGiven = false;
  private lost = false;
  private callOver = false;
  private callOverAt = 0;
  private hadSipMedia = false;
  private peerConnectionClosed = false;
  private onPeerConnectionClosed: (() => void) | undefined;
  private readonly onCoreHangup = (data: { reason?: unknown }): void => {
    this.peerConnectionClosed = true;
    this.onPeerConnectionClosed?.();
    this.emit({ kind: 'media-closed', reason: typeof data?.reason === 'string' ? data.reason : 'unknown' });
  };
  // janode detaches every handle of a session when its connection or session dies.
  private readonly onDetached = (): void => {
    this.lost = true;
    this.onPeerConnectionClosed?.();
    if (this.released) return;
    this.emit({ kind: 'line-lost', reason: this.home.lossReason() });
    this.freeSlot();
  };

  private readonly onHandleEvent = (event: SipLegEvent): void => {
    if (event.kind === 'plugin' && event.name === 'hangup') {
      this.callOver = true;
      this.callOverAt = Date.now();
    }
    if (event.kind === 'plugin' && (event.name === 'accepted' || event.name === 'progress')) {
      this.hadSipMedia = true;
    }
    this.emit(event);
  };

  constructor(
    handle: SipLineHandle,
    private readonly home: SipLineHome,
  ) {
    super(handle, home.gatewayId, home.requestTimeoutMs);
    handle.listen(this.onHandleEvent);
    handle.on(Janode.EVENT.HANDLE_HANGUP, this.onCoreHangup);
    handle.once(Janode.EVENT.HANDLE_DETACHED, this.onDetached);
  }

  get region(): string {
    return this.home.region;
  }

  onEvent(listener: (event: SipLegEvent) => void): void {
    this.listener = listener;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.freeSlot();
    if (!this.lost && (this.callOver || this.home.keepsHandle === true)) {
      const idle = this.peerConnectionClosedInTime().then(async (closed) => {
        if (closed && this.hadSipMedia) {
          await sleep(Math.max(0, this.callOverAt + SIP_RELAY_THREAD_EXIT_MS - Date.now()));
        }
        this.handle.stopListening(this.onHandleEvent);
        this.handle.off(Janode.EVENT.HANDLE_HANGUP, this.onCoreHangup);
        this.handle.off(Janode.EVENT.HANDLE_DETACHED, this.onDetached);
        return closed && !this.lost;
      });
      this.home.recycle(this.handle, idle);
      return;
    }
    // A handle whose session or connection is gone is already detached; nothing to tell Janus then.
    await this.handle.detach().catch(() => undefined);
  }

  private peerConnectionClosedInTime(): Promise<boolean> {
    if (this.peerConnectionClosed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(false), PEER_CONNECTION_CLOSE_WAIT_MS);
      const settle = (closed: boolean): void => {
        clearTimeout(timer);
        this.onPeerConnectionClosed = undefined;
        resolve(closed && !this.lost);
      };
      this.onPeerConnectionClosed = () => settle(true);
    });
  }

  private emit(event: SipLegEvent): void {
    this.listener?.(event);
  }

  private freeSlot(): void {
    if (this.slotGiven) return;
    this.slotGiven = true;
    this.home.slotFreed();
  }
}
