export {
  JetStreamEventTransport,
  type JetStreamTransportEvents,
  type JetStreamTransportStatus,
} from './jetstream-event-transport.js';
export { JETSTREAM_EVENT_TRANSPORT } from './transport-id.js';
export { EventTypePattern } from './event-type-pattern.js';
export {
  resolveTransportOptions,
  DEFAULT_ACK_WAIT_MS,
  DEFAULT_BACKOFF_MS,
  DEFAULT_DEAD_LETTER_STREAM,
  DEFAULT_DEAD_LETTER_SUBJECT_PREFIX,
  DEFAULT_MAX_DELIVER,
  type JetStreamEventTransportOptions,
  type ResolvedTransportOptions,
} from './transport-options.js';
export { JetStreamEventContext } from './jetstream-event-context.js';
export { CommandContext } from './command-context.js';
export { BusExceptionFilter } from './bus-exception-filter.js';
export {
  durableConsumerConfig,
  ensureDurableConsumer,
  type DurableConsumerSpec,
} from './durable-consumer.js';
export {
  DeadLetterHeader,
  deadLetterHeaders,
  ensureDeadLetterStream,
  type DeadLetterDetails,
  type DeadLetterReason,
  type DeadLetterTarget,
} from './dead-letter.js';
export {
  failedDeliveryOutcome,
  isPastDeliveryBudget,
  redeliveryDelayMs,
  type FailedDeliveryOutcome,
} from './redelivery-policy.js';
export { describeHandlerFailure, type HandlerFailure } from './handler-failure.js';
export { subjectMatches } from './subject-match.js';
export { CommandBus, DEFAULT_COMMAND_TIMEOUT_MS, type CommandRequestOptions } from './command-bus.js';
export { CommandClientProxy } from './command-client-proxy.js';
export {
  decodeCommandPayload,
  decodeCommandReply,
  encodeCommandPayload,
  encodeCommandReply,
  type CommandReply,
} from './command-envelope.js';
export { migrateBusSchema, PROCESSED_EVENT_TABLE, type BusSchema } from './bus-schema.js';
export { runIdempotentEffect, type IdempotentEffectOutcome } from './idempotent-effect.js';
export {
  BusError,
  InvalidBusOptionsError,
  BusConnectionError,
  EventsStreamNotFoundError,
  ConsumerSetupError,
  ConsumerConfigConflictError,
  DeadLetterStreamMismatchError,
  CommandTimeoutError,
  NoCommandHandlerError,
  CommandRejectedError,
  InvalidCommandReplyError,
  CommandTransportError,
  BusSchemaMigrationError,
  type BusErrorCode,
  type CommandRejection,
} from './errors.js';
export { waitForEventsStream, type EventsStreamWaitOptions } from './events-stream-wait.js';
export {
  connectEventConsumers,
  type EventConsumerLog,
  type EventConsumers,
  type EventConsumersOptions,
} from './event-consumers.js';
