export {
  createEventRelay,
  requireAscending,
  type EventRelay,
  type EventRelayState,
  type EventRelayStatus,
} from './event-relay.js';
export {
  resolveRelayOptions,
  RELAY_DEFAULTS,
  type AppendSignal,
  type EventRelayOptions,
  type ResolvedRelayOptions,
} from './relay-options.js';
export { createInMemoryRelayCheckpoint, type RelayCheckpoint } from './relay-checkpoint.js';
export {
  createPostgresRelayCheckpoint,
  migratePostgresRelayCheckpoint,
} from './postgres-relay-checkpoint.js';
export {
  ensureEventsStream,
  planEventsStream,
  readStreamTail,
  subjectFilterCovers,
  type EventsStreamSpec,
  type EventsStreamPlan,
  type EnsuredEventsStream,
  type StreamTail,
} from './events-stream.js';
export { interpretBatchAcks, type BatchOutcome } from './batch-publisher.js';
export { chooseResumePoint, backoffDelayMs } from './resume-point.js';
export { parseRelayConfig, relayConfigSchema, type RelayConfig } from './relay-config.js';
export { silentRelayLogger, type RelayLogger } from './relay-logger.js';
export {
  EventRelayError,
  type EventRelayErrorCode,
  RelayConfigError,
  EventsStreamIncompatibleError,
  StreamSequenceConflictError,
  StreamTailUnreadableError,
  EventsStreamUnavailableError,
  PublishFailedError,
  CheckpointUnavailableError,
  StoreOrderViolationError,
  RelayStateError,
} from './errors.js';
