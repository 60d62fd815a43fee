import { callIdOfStream } from '@ringbus/call-domain';
import { type RecordedEvent, type EventStore } from '@ringbus/event-store';
import { type CallEvent } from '@ringbus/proto';
import { type CallLogEntry } from '@ringbus/softphone-protocol';
import { callLogFor } from '../domain/call-log.js';
import { incomingCallView, outgoingCallView, type CallView } from '../domain/call-view.js';
import { decodeCallEvent, readCallStream } from './call-stream.js';
import {
  type LiveCallDirectory,
  type LiveCallEntry,
  type SessionIdentity,
  type Subscriber,
} from './ports.js';

export interface RebuiltCall {
  readonly view: CallView;
  /** The stream version the log reflects. */
  readonly version: number;
  readonly log: CallLogEntry[];
}

export interface RebuiltCalls {
  /** The user's live calls on a line, with their logs. */
  readonly live: readonly RebuiltCall[];
  /** Calls looked at that are over or have no line (missed): their late events are not reported. */
  readonly settled: readonly string[];
}

export interface RebuildSources {
  readonly liveCalls: LiveCallDirectory;
  readonly store: EventStore;
  /** First events of this user's calls that this instance saw recently (they may not be in liveCalls yet). */
  readonly recentStarts: readonly RecordedEvent[];
}

/**
 * The user's live calls as their streams tell them, for the state handshake. `watch` is called for every
 * candidate BEFORE its stream is read, so an event stored after the read reaches the socket live, and one
 * stored before is in the log (the socket drops duplicates by stream version).
 */
export async function rebuildLiveCalls(
  sources: RebuildSources,
  identity: SessionIdentity,
  subscriber: Subscriber,
  watch: (callId: string) => void,
): Promise<RebuiltCalls> {
  const entries = await sources.liveCalls.listForUser(identity.tenant, identity.userId);
  const candidates = new Map<string, LiveCallEntry | undefined>(
    entries.map((entry) => [entry.callId, entry]),
  );
  for (const start of sources.recentStarts) {
    const callId = callIdOfStream(start.streamId);
    if (callId !== undefined && !candidates.has(callId)) candidates.set(callId, undefined);
  }
  for (const callId of candidates.keys()) watch(callId);

  const live: RebuiltCall[] = [];
  const settled: string[] = [];
  for (const [callId, entry] of candidates) {
    const call = await rebuildCall(sources, identity, subscriber, callId, entry);
    if (call === 'settled') settled.push(callId);
    else if (call !== 'not-stored-yet') live.push(call);
  }
  return { live, settled };
}

async function rebuildCall(
  sources: RebuildSources,
  identity: SessionIdentity,
  subscriber: Subscriber,
  callId: string,
  entry: LiveCallEntry | undefined,
): Promise<RebuiltCall | 'settled' | 'not-stored-yet'> {
  const records = await readCallStream(sources.store, callId);
  const last = records.at(-1);
  // No stream: an outgoing claim whose RequestCall is still in flight (on another socket of the session,
  // say) or was lost. If it gets stored, its CallRequested reaches this socket like any new call's.
  if (last === undefined) return 'not-stored-yet';
  const events = records.map(decodeCallEvent).filter((event): event is CallEvent => event !== undefined);
  if (events.some((event) => event.event.case === 'callEnded')) return 'settled';
  const view = await viewOf(sources, identity, subscriber, events[0], entry);
  if (view === undefined || view.line === null) return 'settled';
  return { view, version: last.streamVersion, log: callLogFor(events, view) };
}

async function viewOf(
  sources: RebuildSources,
  identity: SessionIdentity,
  subscriber: Subscriber,
  first: CallEvent | undefined,
  entry: LiveCallEntry | undefined,
): Promise<CallView | undefined> {
  if (first?.event.case === 'callRequested') return outgoingCallView(first.event.value);
  if (first?.event.case !== 'callOffered') return undefined;
  const offered = first.event.value;
  const placement =
    entry ??
    (await sources.liveCalls.placeIncoming({
      callId: offered.callId,
      tenant: identity.tenant,
      userId: identity.userId,
      preferredLine: offered.line,
      lineCount: subscriber.lines,
      carrierSipCallId: offered.carrierSipCallId,
    }));
  return incomingCallView(offered, placement);
}
