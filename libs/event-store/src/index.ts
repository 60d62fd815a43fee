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
} from './errors.js';
