import { type CallView } from '../domain/call-view.js';

/** A call a socket follows, and how far into its stream the softphone has been told. */
export interface TrackedCall {
  readonly view: CallView;
  /** The stream version of the last event reflected on this socket (in the state handshake or live). */
  version: number;
  /** Set while the request that started the call awaits its response: its events wait for the ack. */
  answered?: Promise<void>;
}

const MAX_SETTLED = 1_000;

/**
 * The calls one socket follows, by Ringbus call id and by the client's call id, plus the calls it must
 * not report (ended before the handshake, or missed): their late or buffered events are dropped.
 */
export class SessionCalls {
  private readonly byCallId = new Map<string, TrackedCall>();
  private readonly byClientCallId = new Map<string, string>();
  private readonly settled = new Set<string>();

  track(view: CallView, version: number): TrackedCall {
    const tracked: TrackedCall = { view, version };
    this.byCallId.set(view.callId, tracked);
    this.byClientCallId.set(view.clientCallId, view.callId);
    this.settled.delete(view.callId);
    return tracked;
  }

  get(callId: string): TrackedCall | undefined {
    return this.byCallId.get(callId);
  }

  byClientId(clientCallId: string): TrackedCall | undefined {
    const callId = this.byClientCallId.get(clientCallId);
    return callId === undefined ? undefined : this.byCallId.get(callId);
  }

  /** Stops following a call; with `settle`, its further events are ignored too. */
  forget(callId: string, settle = true): void {
    const tracked = this.byCallId.get(callId);
    if (tracked !== undefined && this.byClientCallId.get(tracked.view.clientCallId) === callId) {
      this.byClientCallId.delete(tracked.view.clientCallId);
    }
    this.byCallId.delete(callId);
    if (settle) {
      this.settled.add(callId);
      // Only late events of recent calls can still arrive; the oldest entry goes first (insertion order).
      if (this.settled.size > MAX_SETTLED) this.settled.delete(this.settled.values().next().value as string);
    }
  }

  isSettled(callId: string): boolean {
    return this.settled.has(callId);
  }

  callIds(): string[] {
    return [...this.byCallId.keys()];
  }

  clear(): void {
    this.byCallId.clear();
    this.byClientCallId.clear();
    this.settled.clear();
  }
}
