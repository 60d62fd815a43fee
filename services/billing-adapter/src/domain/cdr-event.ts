import { callEventTypes, isCallEventType, type CallEndReasonJson, type CallPartyJson } from '@ringbus/proto';
import { type CdrEndReason, type CdrParty } from './call-detail-record.js';

/**
 * A stored call event as the CDR fold reads it: the envelope fields it needs and the event's data in
 * its proto JSON form (docs/events.md). The live consumer passes what the bus delivered and the rebuild
 * what it read from the store; both go through the same readers below, so both fold alike.
 */
export interface StoredCallEvent {
  readonly eventId: string;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly tenant: string;
  readonly data: unknown;
}

export type CdrEventProblemCode =
  'UNKNOWN_EVENT_TYPE' | 'UNSUPPORTED_SCHEMA_VERSION' | 'EVENT_DATA_INVALID' | 'EVENT_AFTER_CALL_ENDED';

/** Why the fold left an event out; the event id says which, for logs and dead letters. */
export interface CdrEventProblem {
  readonly code: CdrEventProblemCode;
  readonly eventId: string;
  readonly type: string;
  readonly message: string;
}

/** Thrown by the readers below; the fold turns it into a `skipped` step. */
export class UnreadableEventData extends Error {}

/** The proto JSON data of a known type at the schema version this code reads, or the problem with it. */
export function readableData(
  event: StoredCallEvent,
): { readonly data: Readonly<Record<string, unknown>> } | { readonly problem: CdrEventProblem } {
  if (!isCallEventType(event.type)) return problemOf(event, 'UNKNOWN_EVENT_TYPE', 'not a call event type');
  const readable = callEventTypes[event.type].schemaVersion;
  if (event.schemaVersion !== readable) {
    return problemOf(
      event,
      'UNSUPPORTED_SCHEMA_VERSION',
      `schema version ${event.schemaVersion}; this code reads ${readable}`,
    );
  }
  if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) {
    return problemOf(event, 'EVENT_DATA_INVALID', 'data is not a JSON object');
  }
  return { data: event.data as Readonly<Record<string, unknown>> };
}

function problemOf(
  event: StoredCallEvent,
  code: CdrEventProblemCode,
  message: string,
): { readonly problem: CdrEventProblem } {
  return { problem: { code, eventId: event.eventId, type: event.type, message } };
}

// Readers of proto JSON fields: an absent field is its default; a field of the wrong JSON type makes
// the event unreadable (UnreadableEventData), as the proto JSON parser would refuse it.

export function stringField(data: Readonly<Record<string, unknown>>, field: string): string {
  const value = data[field];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new UnreadableEventData(`${field} is not a string`);
  return value;
}

/** A uint32 in proto JSON: a number, or its decimal string. */
export function uintField(data: Readonly<Record<string, unknown>>, field: string): number {
  return optionalUintField(data, field) ?? 0;
}

/** An `optional uint32`: absent is null, so `0` stays distinguishable from "not given". */
export function optionalUintField(data: Readonly<Record<string, unknown>>, field: string): number | null {
  const value = data[field];
  if (value === undefined || value === null) return null;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 0 || number > 0xffffffff) {
    throw new UnreadableEventData(`${field} is not a uint32`);
  }
  return number;
}

/** A Timestamp in proto JSON (RFC 3339), as epoch milliseconds. Required: every call event has one. */
export function timestampMsField(data: Readonly<Record<string, unknown>>, field: string): number {
  const value = data[field];
  if (typeof value !== 'string') throw new UnreadableEventData(`${field} is missing or not a timestamp`);
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new UnreadableEventData(`${field} is not an RFC 3339 timestamp`);
  return ms;
}

// Listed in enum number order: a number in the JSON is the index into these.
const END_REASONS = {
  CALL_END_REASON_UNSPECIFIED: 'unspecified',
  CALL_END_REASON_NORMAL: 'normal',
  CALL_END_REASON_BUSY: 'busy',
  CALL_END_REASON_NO_ANSWER: 'no_answer',
  CALL_END_REASON_CANCELLED: 'cancelled',
  CALL_END_REASON_REJECTED: 'rejected',
  CALL_END_REASON_FAILED: 'failed',
  CALL_END_REASON_GATEWAY_LOST: 'gateway_lost',
  CALL_END_REASON_MEDIA_FAILED: 'media_failed',
  CALL_END_REASON_TRANSFERRED: 'transferred',
} as const satisfies Record<CallEndReasonJson, CdrEndReason>;

const PARTIES = {
  CALL_PARTY_UNSPECIFIED: '',
  CALL_PARTY_CALLER: 'caller',
  CALL_PARTY_CALLEE: 'callee',
  CALL_PARTY_SYSTEM: 'system',
} as const satisfies Record<CallPartyJson, CdrParty>;

/**
 * An enum field in proto JSON: its value name, or its number. Names and numbers this code does not know
 * read as UNSPECIFIED (docs/events.md: a newer writer may add values).
 */
function enumField<Name extends string, Value>(
  data: Readonly<Record<string, unknown>>,
  field: string,
  values: Readonly<Record<Name, Value>>,
  unspecified: Value,
): Value {
  const value = data[field];
  if (value === undefined || value === null) return unspecified;
  if (typeof value === 'number' && Number.isInteger(value)) {
    const byNumber = Object.values<Value>(values)[value];
    return byNumber ?? unspecified;
  }
  if (typeof value !== 'string') throw new UnreadableEventData(`${field} is not an enum value`);
  return Object.hasOwn(values, value) ? values[value as Name] : unspecified;
}

export function endReasonField(data: Readonly<Record<string, unknown>>, field: string): CdrEndReason {
  return enumField(data, field, END_REASONS, 'unspecified');
}

export function partyField(data: Readonly<Record<string, unknown>>, field: string): CdrParty {
  return enumField(data, field, PARTIES, '');
}
