import { create, type DescMessage, type JsonObject } from '@bufbuild/protobuf';
import {
  AnsweredSchema,
  CallEndedSchema,
  CallEventSchema,
  CallOfferedSchema,
  CallRequestedSchema,
  DtmfSentSchema,
  EarlyMediaSchema,
  HeldByUsSchema,
  MediaRenegotiatedSchema,
  ResumedSchema,
  RingingSchema,
  SipInviteSentSchema,
  TransferRequestedSchema,
  type CallEvent,
} from './gen/ringbus/call/v1/call_events_pb.js';
import { EventDataError, fromEventData, toEventData } from './event-data.js';

/** The `case` of the CallEvent oneof: `callRequested`, `callEnded`, ... */
export type CallEventCase = NonNullable<CallEvent['event']['case']>;

export interface CallEventTypeEntry {
  readonly schema: DescMessage;
  /** The schema version producers write today (the `vN` of the schema's proto package). */
  readonly schemaVersion: number;
  readonly case: CallEventCase;
}

/**
 * Every call event type, by its stored name (the message's short name). Stored events are written with
 * these names and versions; `test/call-event-types.unit.spec.ts` proves the list matches the CallEvent
 * oneof, so a new event cannot be added to the proto without being added here.
 */
export const callEventTypes = Object.freeze({
  CallRequested: { schema: CallRequestedSchema, schemaVersion: 1, case: 'callRequested' },
  CallOffered: { schema: CallOfferedSchema, schemaVersion: 1, case: 'callOffered' },
  SipInviteSent: { schema: SipInviteSentSchema, schemaVersion: 1, case: 'sipInviteSent' },
  Ringing: { schema: RingingSchema, schemaVersion: 1, case: 'ringing' },
  EarlyMedia: { schema: EarlyMediaSchema, schemaVersion: 1, case: 'earlyMedia' },
  Answered: { schema: AnsweredSchema, schemaVersion: 1, case: 'answered' },
  HeldByUs: { schema: HeldByUsSchema, schemaVersion: 1, case: 'heldByUs' },
  Resumed: { schema: ResumedSchema, schemaVersion: 1, case: 'resumed' },
  DtmfSent: { schema: DtmfSentSchema, schemaVersion: 1, case: 'dtmfSent' },
  TransferRequested: { schema: TransferRequestedSchema, schemaVersion: 1, case: 'transferRequested' },
  CallEnded: { schema: CallEndedSchema, schemaVersion: 1, case: 'callEnded' },
  MediaRenegotiated: { schema: MediaRenegotiatedSchema, schemaVersion: 1, case: 'mediaRenegotiated' },
} as const satisfies Record<string, CallEventTypeEntry>);

export type CallEventType = keyof typeof callEventTypes;

const typeByCase = Object.freeze(
  Object.fromEntries(Object.entries(callEventTypes).map(([type, entry]) => [entry.case, type])),
) as Readonly<Record<CallEventCase, CallEventType>>;

export function isCallEventType(type: string): type is CallEventType {
  return Object.hasOwn(callEventTypes, type);
}

/** A call event as the event store takes it: type, schema version and proto JSON data. */
export interface CallEventRecord {
  readonly type: CallEventType;
  readonly schemaVersion: number;
  readonly data: JsonObject;
}

export function callEventToRecord(event: CallEvent): CallEventRecord {
  const { case: eventCase, value } = event.event;
  if (eventCase === undefined) {
    throw new EventDataError('EVENT_DATA_INVALID', 'a CallEvent without an event cannot be stored');
  }
  const type = typeByCase[eventCase];
  const entry = callEventTypes[type];
  return { type, schemaVersion: entry.schemaVersion, data: toEventData(entry.schema, value) };
}

/**
 * Turns a stored call event back into a CallEvent. Throws EventDataError with UNKNOWN_EVENT_TYPE for a
 * type this code does not know (a consumer that only folds call events may skip it), and with
 * UNSUPPORTED_SCHEMA_VERSION for a version it cannot read (deploy newer schemas first).
 */
export function callEventFromRecord(record: {
  type: string;
  schemaVersion: number;
  data: unknown;
}): CallEvent {
  if (!isCallEventType(record.type)) {
    throw new EventDataError('UNKNOWN_EVENT_TYPE', `${JSON.stringify(record.type)} is not a call event type`);
  }
  const entry = callEventTypes[record.type];
  if (record.schemaVersion !== entry.schemaVersion) {
    throw new EventDataError(
      'UNSUPPORTED_SCHEMA_VERSION',
      `${record.type} schema version ${record.schemaVersion} cannot be read; this code reads version ${entry.schemaVersion}`,
    );
  }
  const value = fromEventData(entry.schema, record.data);
  // The registry pairs each case with its schema; TypeScript cannot follow that pairing through a lookup.
  return create(CallEventSchema, { event: { case: entry.case, value } as CallEvent['event'] });
}
