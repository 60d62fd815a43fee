import { callStreamId } from '@ringbus/call-domain';
import { StreamNotFoundError, type EventStore, type RecordedEvent } from '@ringbus/event-store';
import { callEventFromRecord, EventDataError, type CallEvent } from '@ringbus/proto';

/** A call's stored events from `fromVersion` on; none when the stream does not exist (yet). */
export async function readCallStream(
  store: EventStore,
  callId: string,
  fromVersion = 1,
): Promise<readonly RecordedEvent[]> {
  try {
    return await store.readStream(callStreamId(callId), { fromVersion });
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}

/** The call event of a stored event; undefined for a type this code does not know (a newer writer's). */
export function decodeCallEvent(record: RecordedEvent): CallEvent | undefined {
  try {
    return callEventFromRecord(record);
  } catch (error) {
    if (error instanceof EventDataError && error.code === 'UNKNOWN_EVENT_TYPE') return undefined;
    throw error;
  }
}
