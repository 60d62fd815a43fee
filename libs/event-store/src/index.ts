export {
  type EventStore,
  type EventMetadata,
  type NewEvent,
  type RecordedEvent,
  type ExpectedVersion,
  type AppendResult,
  type ReadStreamOptions,
  type ReadAllOptions,
} from './event-store.js';
export {
  type GlobalPosition,
  GLOBAL_POSITION_START,
  globalPositionOf,
  isGlobalPosition,
  parseGlobalPosition,
  compareGlobalPositions,
} from './global-position.js';
export {
  EventStoreError,
  type EventStoreErrorCode,
  VersionConflictError,
  StreamNotFoundError,
  EventTooLargeError,
  DuplicateEventIdError,
  InvalidAppendError,
  StoreUnavailableError,
  EventStoreMigrationError,
} from './errors.js';
export { DEFAULT_MAX_EVENT_BYTES } from './append-request.js';
export { createInMemoryEventStore, type InMemoryEventStoreOptions } from './in-memory-event-store.js';
export { createPostgresEventStore, type PostgresEventStoreOptions } from './postgres/postgres-event-store.js';
export { migratePostgresEventStore } from './postgres/migrations.js';
export {
  listenForAppends,
  type AppendListener,
  type ListenForAppendsOptions,
} from './postgres/append-listener.js';
