import { callIdOfStream } from '@ringbus/call-domain';
import {
  GLOBAL_POSITION_START,
  type EventStore,
  type GlobalPosition,
  type RecordedEvent,
} from '@ringbus/event-store';
import { type CallEventLog, type CallStreamReader } from '../../app/ports.js';
import { type StoredCallEvent } from '../../domain/cdr-event.js';

/** What the CDR fold reads of a stored event. */
export function storedCallEventOf(event: RecordedEvent): StoredCallEvent {
  return {
    eventId: event.eventId,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    type: event.type,
    schemaVersion: event.schemaVersion,
    tenant: event.metadata.tenant,
    data: event.data,
  };
}

/** Reads the call streams behind gaps through the event store port (any backend). */
export function eventStoreCallStreams(store: EventStore): CallStreamReader {
  return {
    async readCallStream(streamId, fromVersion, toVersion) {
      const events = await store.readStream(streamId, {
        fromVersion,
        maxCount: toVersion - fromVersion + 1,
      });
      return events.map(storedCallEventOf);
    },
  };
}

/**
 * The whole log through the event store port's `readAll`: works on every backend, but reads every
 * event in full (SDP bodies included). The PostgreSQL rebuild uses `postgresCallEventLog` instead.
 */
export function eventStoreCallEventLog(store: EventStore): CallEventLog {
  return {
    start: GLOBAL_POSITION_START,
    async readPage(after, maxCount) {
      const page = await store.readAll({ after: after as GlobalPosition, maxCount });
      const last = page[page.length - 1];
      if (last === undefined) return { events: [], next: after, read: 0 };
      return {
        events: page.filter((event) => callIdOfStream(event.streamId) !== undefined).map(storedCallEventOf),
        next: last.globalPosition,
        read: page.length,
      };
    },
  };
}
