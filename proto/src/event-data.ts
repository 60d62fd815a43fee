import {
  fromJson,
  toJson,
  type DescMessage,
  type JsonObject,
  type JsonValue,
  type MessageShape,
} from '@bufbuild/protobuf';
import { RingbusError } from '@ringbus/errors';

export type EventDataErrorCode = 'EVENT_DATA_INVALID' | 'UNKNOWN_EVENT_TYPE' | 'UNSUPPORTED_SCHEMA_VERSION';

/**
 * Stored event data that this code cannot turn into a message. Never retryable: the same bytes decode
 * the same way until the consumer is redeployed with newer schemas, so the message belongs in the
 * dead-letter subject (or, for UNKNOWN_EVENT_TYPE, is skipped by consumers that do not care about it).
 */
export class EventDataError extends RingbusError<EventDataErrorCode> {
  readonly retryable = false;
  constructor(
    readonly code: EventDataErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The proto JSON form of an event's data, as the event store keeps it. Fields at their default value
 * (empty string, 0, UNSPECIFIED) are left out, as proto JSON does; `fromEventData` puts them back.
 */
export function toEventData<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): JsonObject {
  return toJson(schema, message) as JsonObject;
}

/**
 * Reads an event's data written by this or any newer compatible schema: fields this code does not know
 * (added later with new numbers) are ignored, so an older consumer keeps working.
 */
export function fromEventData<Desc extends DescMessage>(schema: Desc, data: unknown): MessageShape<Desc> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new EventDataError('EVENT_DATA_INVALID', `${schema.typeName} data must be a JSON object`);
  }
  try {
    return fromJson(schema, data as JsonValue, { ignoreUnknownFields: true });
  } catch (cause) {
    throw new EventDataError(
      'EVENT_DATA_INVALID',
      `data is not valid ${schema.typeName} JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}
