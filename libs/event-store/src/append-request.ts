import { EventTooLargeError, InvalidAppendError } from './errors.js';
import { type ExpectedVersion, type NewEvent } from './event-store.js';

/** 256 KiB of data plus metadata JSON: a call event is a few hundred bytes; an SDP is a few KiB. */
export const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;

/** An event checked and serialised once, so every backend stores exactly the same bytes. */
export interface SerialisedEvent {
  /** Lower-cased: PostgreSQL returns UUIDs lower-cased, so every backend does. */
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly dataJson: string;
  readonly metadataJson: string;
}

/**
 * The stream versions an append accepts, as an inclusive range over the stream's current version
 * (0 = no events), so every backend checks every kind of expected version with one comparison.
 */
export interface AcceptedVersions {
  readonly min: number;
  readonly max: number;
}

export interface AppendRequest {
  readonly streamId: string;
  readonly events: readonly SerialisedEvent[];
  readonly expectedVersion: ExpectedVersion;
  readonly accepted: AcceptedVersions;
}

/** Largest stream version a backend stores (PostgreSQL `integer`). */
export const MAX_STREAM_VERSION = 2_147_483_647;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const METADATA_FIELDS = ['occurredAt', 'causationId', 'correlationId', 'tenant', 'traceparent'] as const;

/** Checks an append before any backend touches storage; throws `InvalidAppendError` or `EventTooLargeError`. */
export function toAppendRequest(
  streamId: unknown,
  events: unknown,
  options: { readonly expectedVersion: ExpectedVersion } | undefined,
  maxEventBytes: number,
): AppendRequest {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new InvalidAppendError('stream id must be a non-empty string');
  }
  if (!Array.isArray(events) || events.length === 0) {
    throw new InvalidAppendError(`append to ${streamId} has no events: pass at least one`);
  }
  const expectedVersion = options?.expectedVersion;
  const accepted = acceptedVersions(streamId, expectedVersion);
  if (accepted.max !== MAX_STREAM_VERSION && accepted.max + events.length > MAX_STREAM_VERSION) {
    throw new InvalidAppendError(`stream ${streamId} would pass version ${MAX_STREAM_VERSION}`);
  }
  const seen = new Set<string>();
  const serialised = (events as readonly unknown[]).map((event, index) => {
    const checked = serialiseEvent(streamId, event, index, maxEventBytes);
    if (seen.has(checked.eventId)) {
      throw new InvalidAppendError(`event id ${checked.eventId} appears twice in one append to ${streamId}`);
    }
    seen.add(checked.eventId);
    return checked;
  });
  return { streamId, events: serialised, expectedVersion: expectedVersion as ExpectedVersion, accepted };
}

function acceptedVersions(streamId: string, expected: unknown): AcceptedVersions {
  switch (expected) {
    case 'any':
      return { min: 0, max: MAX_STREAM_VERSION };
    case 'no_stream':
      return { min: 0, max: 0 };
    case 'stream_exists':
      return { min: 1, max: MAX_STREAM_VERSION };
  }
  if (typeof expected === 'number' && Number.isInteger(expected) && expected >= 0) {
    if (expected > MAX_STREAM_VERSION) {
      throw new InvalidAppendError(
        `expected version ${expected} of ${streamId} is beyond ${MAX_STREAM_VERSION}`,
      );
    }
    return { min: expected, max: expected };
  }
  throw new InvalidAppendError(
    `expected version ${JSON.stringify(expected)} of ${streamId} is not a non-negative integer, 'no_stream', 'stream_exists' or 'any'`,
  );
}

function serialiseEvent(
  streamId: string,
  event: unknown,
  index: number,
  maxEventBytes: number,
): SerialisedEvent {
  const where = `event #${index} of the append to ${streamId}`;
  if (typeof event !== 'object' || event === null) throw new InvalidAppendError(`${where} is not an object`);
  const { eventId, type, schemaVersion, data, metadata } = event as Partial<Record<keyof NewEvent, unknown>>;
  if (typeof eventId !== 'string' || !UUID_PATTERN.test(eventId.toLowerCase())) {
    throw new InvalidAppendError(`${where} has event id ${JSON.stringify(eventId)}, which is not a UUID`);
  }
  if (typeof type !== 'string' || type.length === 0) {
    throw new InvalidAppendError(`${where} (${eventId}) has no type`);
  }
  if (typeof schemaVersion !== 'number' || !Number.isInteger(schemaVersion) || schemaVersion < 1) {
    throw new InvalidAppendError(
      `${where} (${eventId}) has schema version ${schemaVersion}: use an integer >= 1`,
    );
  }
  if (!isPlainRecord(data))
    throw new InvalidAppendError(`${where} (${eventId}) has data that is not an object`);
  if (!isPlainRecord(metadata)) throw new InvalidAppendError(`${where} (${eventId}) has no metadata object`);
  for (const field of METADATA_FIELDS) {
    if (typeof metadata[field] !== 'string') {
      throw new InvalidAppendError(`${where} (${eventId}) has metadata.${field} that is not a string`);
    }
  }
  const dataJson = JSON.stringify(data);
  const metadataJson = JSON.stringify(metadata);
  const sizeBytes = Buffer.byteLength(dataJson) + Buffer.byteLength(metadataJson);
  if (sizeBytes > maxEventBytes) throw new EventTooLargeError(eventId, sizeBytes, maxEventBytes);
  return { eventId: eventId.toLowerCase(), type, schemaVersion, dataJson, metadataJson };
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates the store-wide limit option once, at construction. */
export function checkedMaxEventBytes(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_EVENT_BYTES;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`maxEventBytes must be a positive integer, got ${value}`);
  }
  return value;
}
