import { callIdOfStream } from '@ringbus/call-domain';
import { type RecordedEvent } from '@ringbus/event-store';

/** A socket's session as the fan-out sees it: whose calls it wants, and where to hand them. */
export interface CallEventSink {
  readonly tenant: string;
  readonly userId: string;
  deliver(event: RecordedEvent): void;
}

const CALL_START_TYPES: ReadonlySet<string> = new Set(['CallRequested', 'CallOffered']);

export function userKey(tenant: string, userId: string): string {
  // Both parts are free text: a separator that cannot appear in JSON-escaped text keeps keys apart.
  return JSON.stringify([tenant, userId]);
}

/**
 * Hands every call event this instance receives to the sessions it concerns. A call's first event names its
 * user, so it goes to that user's sessions, which then watch the call; later events go to the watchers.
 * Events of calls nobody here watches are dropped at once, without any lookup.
 *
 * It also remembers the recent first events of calls still live, so a socket that attaches while the
 * shared live-call table lags behind the stream still finds a call that just started.
 */
export class CallEventFanout {
  private readonly sessionsByUser = new Map<string, Set<CallEventSink>>();
  private readonly watchers = new Map<string, Set<CallEventSink>>();
  private readonly recentStarts = new Map<string, RecordedEvent>();

  constructor(private readonly recentStartLimit = 10_000) {}

  route(event: RecordedEvent): void {
    const callId = callIdOfStream(event.streamId);
    if (callId === undefined) return;
    if (CALL_START_TYPES.has(event.type)) {
      const userId = event.data['userId'];
      if (typeof userId !== 'string') return;
      this.rememberStart(callId, event);
      for (const sink of this.sessionsByUser.get(userKey(event.metadata.tenant, userId)) ?? []) {
        this.watch(callId, sink);
        sink.deliver(event);
      }
      return;
    }
    if (event.type === 'CallEnded') this.recentStarts.delete(callId);
    for (const sink of [...(this.watchers.get(callId) ?? [])]) sink.deliver(event);
  }

  /** From now on the sink receives the first event of each new call of its user. */
  addSession(sink: CallEventSink): void {
    const key = userKey(sink.tenant, sink.userId);
    let sinks = this.sessionsByUser.get(key);
    if (sinks === undefined) {
      sinks = new Set();
      this.sessionsByUser.set(key, sinks);
    }
    sinks.add(sink);
  }

  removeSession(sink: CallEventSink): void {
    const key = userKey(sink.tenant, sink.userId);
    const sinks = this.sessionsByUser.get(key);
    sinks?.delete(sink);
    if (sinks?.size === 0) this.sessionsByUser.delete(key);
    for (const [callId, callWatchers] of this.watchers) {
      callWatchers.delete(sink);
      if (callWatchers.size === 0) this.watchers.delete(callId);
    }
  }

  watch(callId: string, sink: CallEventSink): void {
    let callWatchers = this.watchers.get(callId);
    if (callWatchers === undefined) {
      callWatchers = new Set();
      this.watchers.set(callId, callWatchers);
    }
    callWatchers.add(sink);
  }

  unwatch(callId: string, sink: CallEventSink): void {
    const callWatchers = this.watchers.get(callId);
    callWatchers?.delete(sink);
    if (callWatchers?.size === 0) this.watchers.delete(callId);
  }

  /** First events of this user's calls seen recently and not ended, oldest first. */
  recentStartsOf(tenant: string, userId: string): RecordedEvent[] {
    return [...this.recentStarts.values()].filter(
      (event) => event.metadata.tenant === tenant && event.data['userId'] === userId,
    );
  }

  /** How many sessions and watched calls are registered (for tests and metrics: nothing may leak). */
  size(): { sessions: number; watchedCalls: number } {
    let sessions = 0;
    for (const sinks of this.sessionsByUser.values()) sessions += sinks.size;
    return { sessions, watchedCalls: this.watchers.size };
  }

  private rememberStart(callId: string, event: RecordedEvent): void {
    this.recentStarts.delete(callId);
    this.recentStarts.set(callId, event);
    // Map iteration order is insertion order: the first key is the oldest.
    while (this.recentStarts.size > this.recentStartLimit) {
      const oldest = this.recentStarts.keys().next().value;
      if (oldest === undefined) break;
      this.recentStarts.delete(oldest);
    }
  }
}
