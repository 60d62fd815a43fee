import { timestampDate } from '@bufbuild/protobuf/wkt';
import { callStreamId, decide, evolve, initialCallState, type CallState } from '@ringbus/call-domain';
import {
  StreamNotFoundError,
  VersionConflictError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '@ringbus/event-store';
import {
  callEventFromRecord,
  callEventToRecord,
  EventDataError,
  type CallCommand,
  type CallEvent,
} from '@ringbus/proto';
import { CallCommandConflictError } from './errors.js';

/** Who and what a command runs for: copied into every event it produces. */
export interface CallCommandContext {
  readonly tenant: string;
  /** W3C trace context of the request that issued the command; empty when untraced. */
  readonly traceparent: string;
  /** Defaults to the call's stream id, so every event of one call shares one correlation id. */
  readonly correlationId?: string;
}

export interface CallCommandOutcome {
  /** The events this command produced (or had produced, when it was handled before); possibly none. */
  readonly events: readonly RecordedEvent[];
  readonly state: CallState;
  /** True when the stream already held this command's events: a redelivered command has no second effect. */
  readonly alreadyHandled: boolean;
}

export interface CallCommandHandlerOptions {
  readonly store: EventStore;
  /** Event ids; UUIDv7 in production, so ids sort by creation time. */
  readonly newEventId: () => string;
  /** How often a command is decided again after another writer appended to the same call first. */
  readonly maxConflictRetries?: number;
}

export type CallCommandHandler = (
  command: CallCommand,
  context: CallCommandContext,
) => Promise<CallCommandOutcome>;

const DEFAULT_MAX_CONFLICT_RETRIES = 5;

/**
 * The one way a call changes: read the call's stream, fold it, decide, append with the version read.
 * A version conflict means another writer got there first: read again and decide anew (only the command
 * handler retries; the domain never sees I/O). A command whose id already caused events in the stream is
 * answered with those events, so at-least-once delivery of commands has exactly-once effect.
 */
export function createCallCommandHandler(options: CallCommandHandlerOptions): CallCommandHandler {
  const maxRetries = options.maxConflictRetries ?? DEFAULT_MAX_CONFLICT_RETRIES;
  return async (command, context) => {
    const streamId = callStreamId(command.callId);
    for (let attempt = 0; ; attempt += 1) {
      const stored = await readCallStream(options.store, streamId);
      const earlier = stored.filter((event) => event.metadata.causationId === command.commandId);
      const state = foldCallEvents(stored);
      if (earlier.length > 0) return { events: earlier, state, alreadyHandled: true };

      const decided = decide(command, state);
      if (decided.length === 0) return { events: [], state, alreadyHandled: false };

      const newEvents = decided.map((event) =>
        toNewEvent(event, command, context, streamId, options.newEventId()),
      );
      try {
        await options.store.appendToStream(streamId, newEvents, {
          expectedVersion: stored.length === 0 ? 'no_stream' : stored.length,
        });
      } catch (error) {
        if (error instanceof VersionConflictError && attempt < maxRetries) continue;
        if (error instanceof VersionConflictError) {
          throw new CallCommandConflictError(command.callId, attempt + 1, { cause: error });
        }
        throw error;
      }
      const recorded = await options.store.readStream(streamId, { fromVersion: stored.length + 1 });
      return {
        events: recorded,
        state: decided.reduce<CallState>(evolve, state),
        alreadyHandled: false,
      };
    }
  };
}

async function readCallStream(store: EventStore, streamId: string): Promise<readonly RecordedEvent[]> {
  try {
    return await store.readStream(streamId);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}

/** A call's state from its stored events; events of types this code does not know are skipped. */
export function foldCallEvents(events: readonly RecordedEvent[]): CallState {
  let state = initialCallState;
  for (const recorded of events) {
    try {
      state = evolve(state, callEventFromRecord(recorded));
    } catch (error) {
      // An event type added by a newer writer: this reader folds what it knows (docs/events.md).
      if (error instanceof EventDataError && error.code === 'UNKNOWN_EVENT_TYPE') continue;
      throw error;
    }
  }
  return state;
}

function toNewEvent(
  event: CallEvent,
  command: CallCommand,
  context: CallCommandContext,
  streamId: string,
  eventId: string,
): NewEvent {
  const record = callEventToRecord(event);
  const occurredAt = event.event.value?.occurredAt ?? command.occurredAt;
  if (occurredAt === undefined) throw new TypeError('a decided call event has no occurredAt');
  return {
    eventId,
    type: record.type,
    schemaVersion: record.schemaVersion,
    data: record.data,
    metadata: {
      occurredAt: timestampDate(occurredAt).toISOString(),
      causationId: command.commandId,
      correlationId: context.correlationId ?? streamId,
      tenant: context.tenant,
      traceparent: context.traceparent,
    },
  };
}
