import { type NatsConnection } from '@nats-io/nats-core';
import { type AppendListener, type EventStore } from '@ringbus/event-store';
import { DEFAULT_EVENT_SUBJECT_PREFIX, DEFAULT_EVENTS_STREAM_NAME } from '@ringbus/event-wire';
import { RelayConfigError } from './errors.js';
import { type RelayCheckpoint } from './relay-checkpoint.js';
import { silentRelayLogger, type RelayLogger } from './relay-logger.js';

/**
 * Starts listening for appends to the relay's store and calls `onAppend` on each (a hint, possibly
 * coalesced); with the PostgreSQL store: `(onAppend) => listenForAppends(pool, onAppend)`.
 */
export type AppendSignal = (onAppend: () => void) => Promise<AppendListener>;

export interface EventRelayOptions {
  readonly store: EventStore;
  /** A connection the caller owns: the relay never closes it. */
  readonly nats: NatsConnection;
  readonly checkpoint: RelayCheckpoint;
  /** JetStream stream the events go to (default `RINGBUS_EVENTS`). */
  readonly streamName?: string;
  /** Subjects are `<prefix>.<tenant>.<category>.<streamId>.<type>` (default `ringbus.events`). */
  readonly subjectPrefix?: string;
  /** Events read and published per round trip (default 500). */
  readonly batchSize?: number;
  /**
   * Wakes the relay as soon as events are appended instead of at its next poll. The relay starts it in
   * `start()` and closes it in `stop()`; polling stays as the fallback.
   */
  readonly wakeUp?: AppendSignal;
  /** Pause after finding no new event (default 100 ms, or 1000 ms with `wakeUp`). */
  readonly idlePollMs?: number;
  /** How long one publish waits for JetStream's ack (default 5 s). */
  readonly publishTimeoutMs?: number;
  /** JetStream's `Nats-Msg-Id` deduplication window set on the stream (default 10 min). */
  readonly duplicateWindowMs?: number;
  /** Replicas when the relay creates the stream (default 1; use 3 on a NATS cluster). */
  readonly streamReplicas?: number;
  /** Bounded exponential back-off after a failure (default 100 ms doubling up to 5 s). */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
  readonly logger?: RelayLogger;
}

export interface ResolvedRelayOptions {
  readonly store: EventStore;
  readonly nats: NatsConnection;
  readonly checkpoint: RelayCheckpoint;
  readonly streamName: string;
  readonly subjectPrefix: string;
  readonly batchSize: number;
  readonly wakeUp: AppendSignal | undefined;
  readonly idlePollMs: number;
  readonly publishTimeoutMs: number;
  readonly duplicateWindowMs: number;
  readonly streamReplicas: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly logger: RelayLogger;
}

export const RELAY_DEFAULTS = Object.freeze({
  streamName: DEFAULT_EVENTS_STREAM_NAME,
  subjectPrefix: DEFAULT_EVENT_SUBJECT_PREFIX,
  batchSize: 500,
  idlePollMs: 100,
  idlePollWithWakeUpMs: 1_000,
  /** First re-poll after a wake-up or a batch that found nothing (yet), doubling up to the idle poll. */
  settlePollMs: 5,
  publishTimeoutMs: 5_000,
  duplicateWindowMs: 10 * 60_000,
  streamReplicas: 1,
  backoffInitialMs: 100,
  backoffMaxMs: 5_000,
});

// JetStream names become subject tokens of its API and file names on the server.
const STREAM_NAME_PATTERN = /^[^\s.*>/\\]{1,255}$/;
// One or more literal tokens: the relay appends its own tokens after the prefix.
const SUBJECT_PREFIX_PATTERN = /^[^\s.*>]+(\.[^\s.*>]+)*$/;

/** Fills defaults and refuses nonsense once, at the edge, with the option's name in the error. */
export function resolveRelayOptions(options: EventRelayOptions): ResolvedRelayOptions {
  const streamName = options.streamName ?? RELAY_DEFAULTS.streamName;
  if (!STREAM_NAME_PATTERN.test(streamName)) {
    throw new RelayConfigError('streamName', `${JSON.stringify(streamName)} is not a JetStream stream name`);
  }
  const subjectPrefix = options.subjectPrefix ?? RELAY_DEFAULTS.subjectPrefix;
  if (!SUBJECT_PREFIX_PATTERN.test(subjectPrefix)) {
    throw new RelayConfigError(
      'subjectPrefix',
      `${JSON.stringify(subjectPrefix)} must be dot-separated literal NATS tokens (no wildcards, no spaces)`,
    );
  }
  const initialMs = positiveInteger(
    'backoff.initialMs',
    options.backoff?.initialMs,
    RELAY_DEFAULTS.backoffInitialMs,
  );
  const maxMs = positiveInteger('backoff.maxMs', options.backoff?.maxMs, RELAY_DEFAULTS.backoffMaxMs);
  if (maxMs < initialMs)
    throw new RelayConfigError('backoff.maxMs', `must not be below backoff.initialMs (${initialMs})`);
  return Object.freeze({
    store: options.store,
    nats: options.nats,
    checkpoint: options.checkpoint,
    streamName,
    subjectPrefix,
    batchSize: positiveInteger('batchSize', options.batchSize, RELAY_DEFAULTS.batchSize),
    wakeUp: options.wakeUp,
    idlePollMs: positiveInteger(
      'idlePollMs',
      options.idlePollMs,
      options.wakeUp === undefined ? RELAY_DEFAULTS.idlePollMs : RELAY_DEFAULTS.idlePollWithWakeUpMs,
    ),
    publishTimeoutMs: positiveInteger(
      'publishTimeoutMs',
      options.publishTimeoutMs,
      RELAY_DEFAULTS.publishTimeoutMs,
    ),
    duplicateWindowMs: positiveInteger(
      'duplicateWindowMs',
      options.duplicateWindowMs,
      RELAY_DEFAULTS.duplicateWindowMs,
    ),
    streamReplicas: positiveInteger('streamReplicas', options.streamReplicas, RELAY_DEFAULTS.streamReplicas),
    backoff: Object.freeze({ initialMs, maxMs }),
    logger: options.logger ?? silentRelayLogger,
  });
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RelayConfigError(name, `must be a positive integer, got ${String(value)}`);
  }
  return value;
}
