import { checkedMaxEventBytes, toAppendRequest, type SerialisedEvent } from './append-request.js';
import { DuplicateEventIdError, StreamNotFoundError, VersionConflictError } from './errors.js';
import {
  type AppendResult,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
} from './event-store.js';
import { globalPositionOf, type GlobalPosition } from './global-position.js';
import { toAllReadRequest, toStreamReadRequest } from './read-request.js';

export interface InMemoryEventStoreOptions {
  /** Largest data + metadata JSON of one event, in bytes; default 256 KiB. */
  readonly maxEventBytes?: number;
}

interface StoredEvent extends SerialisedEvent {
  readonly streamId: string;
  readonly streamVersion: number;
  readonly globalPosition: GlobalPosition;
}

/**
 * The in-memory twin of the PostgreSQL store, for unit tests and tools: same validation, same errors,
 * same ordering rules. Every append commits at once, so the global position is (sequence, sequence).
 * Events are kept as the JSON the PostgreSQL store would write and parsed on every read, so a caller can
 * neither mutate what is stored nor rely on values JSON cannot carry.
 */
export function createInMemoryEventStore(options: InMemoryEventStoreOptions = {}): EventStore {
  const maxEventBytes = checkedMaxEventBytes(options.maxEventBytes);
  const log: StoredEvent[] = [];
  const streams = new Map<string, StoredEvent[]>();
  const eventIds = new Set<string>();

  return {
    async appendToStream(
      streamId: string,
      events: readonly NewEvent[],
      appendOptions: { readonly expectedVersion: ExpectedVersion },
    ): Promise<AppendResult> {
      const request = toAppendRequest(streamId, events, appendOptions, maxEventBytes);
      const stream = streams.get(streamId) ?? [];
      const currentVersion = stream.length;
      if (currentVersion < request.accepted.min || currentVersion > request.accepted.max) {
        throw new VersionConflictError(streamId, String(request.expectedVersion), currentVersion);
      }
      const duplicate = request.events.find((event) => eventIds.has(event.eventId));
      if (duplicate !== undefined) throw new DuplicateEventIdError(duplicate.eventId);

      const stored = request.events.map((event, index): StoredEvent => {
        const sequence = BigInt(log.length + index + 1);
        return {
          ...event,
          streamId,
          streamVersion: currentVersion + index + 1,
          globalPosition: globalPositionOf(sequence, sequence),
        };
      });
      log.push(...stored);
      stream.push(...stored);
      streams.set(streamId, stream);
      for (const event of stored) eventIds.add(event.eventId);
      const last = stored[stored.length - 1] as StoredEvent;
      return { nextExpectedVersion: last.streamVersion, lastGlobalPosition: last.globalPosition };
    },

    async readStream(streamId: string, readOptions?: ReadStreamOptions): Promise<readonly RecordedEvent[]> {
      const request = toStreamReadRequest(streamId, readOptions);
      const stream = streams.get(streamId);
      if (stream === undefined) throw new StreamNotFoundError(streamId);
      const from = request.fromVersion - 1;
      const to = request.maxCount === undefined ? stream.length : from + request.maxCount;
      return stream.slice(from, to).map(toRecordedEvent);
    },

    async readAll(readOptions: ReadAllOptions): Promise<readonly RecordedEvent[]> {
      const request = toAllReadRequest(readOptions);
      const start = firstIndexAfter(log, request.after);
      return log.slice(start, start + request.maxCount).map(toRecordedEvent);
    },

    async close(): Promise<void> {},
  };
}

/** Binary search: the log is in ascending position order. */
function firstIndexAfter(log: readonly StoredEvent[], after: GlobalPosition): number {
  let low = 0;
  let high = log.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((log[middle] as StoredEvent).globalPosition <= after) low = middle + 1;
    else high = middle;
  }
  return low;
}

function toRecordedEvent(event: StoredEvent): RecordedEvent {
  return {
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: JSON.parse(event.dataJson) as RecordedEvent['data'],
    metadata: JSON.parse(event.metadataJson) as RecordedEvent['metadata'],
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    globalPosition: event.globalPosition,
  };
}
