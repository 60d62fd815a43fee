import { type GlobalPosition } from './global-position.js';

/** What travels with every event besides its data (brief: "Every event carries ..."). */
export interface EventMetadata {
  /** ISO-8601 with milliseconds, UTC; the moment the fact happened, supplied by the command. */
  readonly occurredAt: string;
  /** The event id or command id that caused this event. */
  readonly causationId: string;
  /** Ties every event of one conversation (usually one call) together. */
  readonly correlationId: string;
  readonly tenant: string;
  /** W3C trace context of the operation that produced the event; empty string when untraced. */
  readonly traceparent: string;
}

export interface NewEvent {
  /** UUID chosen by the producer; the store rejects a second event with the same id. */
  readonly eventId: string;
  /** Short schema name from proto/, e.g. `CallRequested`. */
  readonly type: string;
  readonly schemaVersion: number;
  /** The event's data in its schema's JSON form. */
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent extends NewEvent {
  readonly streamId: string;
  /** 1 for the stream's first event. */
  readonly streamVersion: number;
  readonly globalPosition: GlobalPosition;
}

/**
 * `no_stream`: the stream must not exist yet. `stream_exists`: it must have at least one event.
 * `any`: no check. A number: the stream's current version must be exactly that (0 = no events).
 */
export type ExpectedVersion = number | 'no_stream' | 'stream_exists' | 'any';

export interface AppendResult {
  /** The stream's version after this append: pass it as the next append's expected version. */
  readonly nextExpectedVersion: number;
  readonly lastGlobalPosition: GlobalPosition;
}

export interface ReadStreamOptions {
  /** First stream version to return (inclusive); default 1. */
  readonly fromVersion?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Return events strictly after this position; default: from the start. */
  readonly after?: GlobalPosition;
  readonly maxCount: number;
}

/** The one port every backend implements; the contract suite in test/ runs against each. */
export interface EventStore {
  appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options: { readonly expectedVersion: ExpectedVersion },
  ): Promise<AppendResult>;
  /** Throws `StreamNotFoundError` when the stream has no events. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<readonly RecordedEvent[]>;
  /**
   * Events in global order. Never returns an event while an earlier one (in global order) may still be
   * committed by a transaction in flight: a reader that follows `after` sees every event exactly once.
   */
  readAll(options: ReadAllOptions): Promise<readonly RecordedEvent[]>;
  close(): Promise<void>;
}
