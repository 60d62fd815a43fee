import {
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { millis, nanos } from '@nats-io/nats-core';
import { allEventsFilter, EventHeader } from '@ringbus/event-wire';
import { isGlobalPosition, type GlobalPosition } from '@ringbus/event-store';
import { EventsStreamIncompatibleError, StreamTailUnreadableError } from './errors.js';

export interface EventsStreamSpec {
  readonly streamName: string;
  readonly subjectPrefix: string;
  readonly duplicateWindowMs: number;
  readonly replicas: number;
}

export type EventsStreamPlan =
  | { readonly action: 'create'; readonly config: Partial<StreamConfig> & { name: string } }
  | { readonly action: 'update'; readonly config: Partial<StreamConfig>; readonly changes: readonly string[] }
  | { readonly action: 'keep' };

/**
 * What to do about the events stream, given what the server has (undefined: no such stream). Storage and
 * retention are never changed here: JetStream cannot change storage in place, and switching retention
 * away from `limits` would let the server delete events that consumers still need to replay.
 */
export function planEventsStream(
  spec: EventsStreamSpec,
  existing: StreamConfig | undefined,
): EventsStreamPlan {
  const subject = allEventsFilter(spec.subjectPrefix);
  if (existing === undefined) {
    return {
      action: 'create',
      config: {
        name: spec.streamName,
        subjects: [subject],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        duplicate_window: nanos(spec.duplicateWindowMs),
        num_replicas: spec.replicas,
      },
    };
  }
  const problems: string[] = [];
  if (existing.storage !== StorageType.File) {
    problems.push(`storage is ${existing.storage}, events need file storage`);
  }
  if (existing.retention !== RetentionPolicy.Limits) {
    problems.push(`retention is ${existing.retention}, events need limits retention`);
  }
  if (existing.sealed) problems.push('the stream is sealed');
  if (problems.length > 0) throw new EventsStreamIncompatibleError(spec.streamName, problems);

  const update: Partial<StreamConfig> = {};
  const changes: string[] = [];
  const subjects = existing.subjects ?? [];
  if (!subjects.some((filter) => subjectFilterCovers(filter, subject))) {
    update.subjects = [...subjects, subject];
    changes.push(`add subject ${subject}`);
  }
  const existingWindowMs = existing.duplicate_window === undefined ? 0 : millis(existing.duplicate_window);
  // A longer window set by an operator is kept: it only widens deduplication.
  if (existingWindowMs < spec.duplicateWindowMs) {
    update.duplicate_window = nanos(spec.duplicateWindowMs);
    changes.push(`duplicate window ${existingWindowMs} ms -> ${spec.duplicateWindowMs} ms`);
  }
  if (changes.length === 0) return { action: 'keep' };
  return { action: 'update', config: { ...existing, ...update }, changes };
}

/** True when every subject `subject` could be is matched by `filter` (NATS `*` and `>` wildcards). */
export function subjectFilterCovers(filter: string, subject: string): boolean {
  const filterTokens = filter.split('.');
  const subjectTokens = subject.split('.');
  for (let i = 0; i < filterTokens.length; i++) {
    const token = filterTokens[i];
    if (token === '>') return subjectTokens.length > i;
    const other = subjectTokens[i];
    if (other === undefined) return false;
    if (token === '*') {
      if (other === '>') return false;
      continue;
    }
    if (token !== other) return false;
  }
  return filterTokens.length === subjectTokens.length;
}

export interface EnsuredEventsStream {
  readonly action: EventsStreamPlan['action'];
  readonly changes: readonly string[];
}

export async function ensureEventsStream(
  jsm: JetStreamManager,
  spec: EventsStreamSpec,
): Promise<EnsuredEventsStream> {
  // Two relays starting together may both try to create it: the loser re-reads and plans again.
  for (let attempt = 1; ; attempt++) {
    const existing = await readStreamConfig(jsm, spec.streamName);
    const plan = planEventsStream(spec, existing);
    try {
      if (plan.action === 'create') await jsm.streams.add(plan.config);
      if (plan.action === 'update') await jsm.streams.update(spec.streamName, plan.config);
      return { action: plan.action, changes: plan.action === 'update' ? plan.changes : [] };
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function readStreamConfig(
  jsm: JetStreamManager,
  streamName: string,
): Promise<StreamConfig | undefined> {
  try {
    return (await jsm.streams.info(streamName)).config;
  } catch (error) {
    if (isStreamNotFound(error)) return undefined;
    throw error;
  }
}

export function isStreamNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
}

export interface StreamTail {
  /** The stream's last sequence: what the next publish must expect. 0 for a stream never written. */
  readonly lastSequence: number;
  /** Global position of the last stored event in the stream; undefined when the stream holds none. */
  readonly lastPosition: GlobalPosition | undefined;
}

// Messages the relay did not write (or deleted ones) are stepped over, but only this many.
const TAIL_SCAN_LIMIT = 1_000;

/** Reads the exact point up to which the stream already holds stored events. */
export async function readStreamTail(jsm: JetStreamManager, streamName: string): Promise<StreamTail> {
  const { state } = await jsm.streams.info(streamName);
  const lastSequence = state.last_seq;
  if (state.messages === 0) return { lastSequence, lastPosition: undefined };
  const lowest = Math.max(state.first_seq, lastSequence - TAIL_SCAN_LIMIT + 1, 1);
  for (let seq = lastSequence; seq >= lowest; seq--) {
    const message = await jsm.streams.getMessage(streamName, { seq });
    const position = message?.header.get(EventHeader.globalPosition) ?? '';
    if (isGlobalPosition(position)) return { lastSequence, lastPosition: position };
  }
  if (lowest === state.first_seq || lowest === 1) return { lastSequence, lastPosition: undefined };
  throw new StreamTailUnreadableError(streamName, lowest, lastSequence);
}
