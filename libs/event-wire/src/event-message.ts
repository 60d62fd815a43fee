import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';
import { RingbusError } from '@ringbus/errors';
import { isGlobalPosition, type GlobalPosition, type RecordedEvent } from '@ringbus/event-store';
import { DEFAULT_EVENT_SUBJECT_PREFIX, eventSubject } from './event-subject.js';

/** Header names of a stored event on NATS. `Nats-Msg-Id` makes JetStream drop a re-published event. */
export const EventHeader = {
  messageId: 'Nats-Msg-Id',
  globalPosition: 'Ringbus-Global-Position',
  streamId: 'Ringbus-Stream-Id',
  streamVersion: 'Ringbus-Stream-Version',
  eventType: 'Ringbus-Event-Type',
  schemaVersion: 'Ringbus-Schema-Version',
  tenant: 'Ringbus-Tenant',
  traceparent: 'traceparent',
  contentType: 'Content-Type',
} as const;

export interface EventMessage {
  readonly subject: string;
  readonly headers: MsgHdrs;
  readonly body: Uint8Array;
}

export class MalformedEventMessageError extends RingbusError {
  readonly code = 'MALFORMED_EVENT_MESSAGE';
  // The same bytes will never decode: redelivery cannot help, the message belongs in the dead-letter subject.
  readonly retryable = false;
  constructor(
    message: string,
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(`${message} (subject ${subject})`, options);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The body is the whole recorded event as JSON; headers repeat what consumers route and trace by. */
export function encodeEventMessage(
  event: RecordedEvent,
  prefix: string = DEFAULT_EVENT_SUBJECT_PREFIX,
): EventMessage {
  const headers = natsHeaders();
  headers.set(EventHeader.messageId, event.eventId);
  headers.set(EventHeader.globalPosition, event.globalPosition);
  headers.set(EventHeader.streamId, event.streamId);
  headers.set(EventHeader.streamVersion, String(event.streamVersion));
  headers.set(EventHeader.eventType, event.type);
  headers.set(EventHeader.schemaVersion, String(event.schemaVersion));
  headers.set(EventHeader.tenant, event.metadata.tenant);
  if (event.metadata.traceparent !== '') headers.set(EventHeader.traceparent, event.metadata.traceparent);
  headers.set(EventHeader.contentType, 'application/json');
  return {
    subject: eventSubject(
      { tenant: event.metadata.tenant, streamId: event.streamId, type: event.type },
      prefix,
    ),
    headers,
    body: encoder.encode(JSON.stringify(event)),
  };
}

export function decodeEventMessage(subject: string, body: Uint8Array): RecordedEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(body));
  } catch (cause) {
    throw new MalformedEventMessageError('event message body is not JSON', subject, { cause });
  }
  return requireRecordedEvent(parsed, subject);
}

function requireRecordedEvent(value: unknown, subject: string): RecordedEvent {
  const fail = (what: string): never => {
    throw new MalformedEventMessageError(`event message ${what}`, subject);
  };
  if (!isRecord(value)) return fail('is not a JSON object');
  for (const key of ['eventId', 'streamId', 'type', 'globalPosition'] as const) {
    if (typeof value[key] !== 'string' || value[key] === '') fail(`has no ${key}`);
  }
  if (!isGlobalPosition(value['globalPosition'] as string)) fail('has a malformed globalPosition');
  if (!Number.isInteger(value['streamVersion']) || (value['streamVersion'] as number) < 1)
    fail('has no streamVersion');
  if (!Number.isInteger(value['schemaVersion'])) fail('has no schemaVersion');
  if (!isRecord(value['data'])) fail('has no data object');
  const metadata = value['metadata'];
  if (!isRecord(metadata)) return fail('has no metadata');
  for (const key of ['occurredAt', 'causationId', 'correlationId', 'tenant', 'traceparent'] as const) {
    if (typeof metadata[key] !== 'string') fail(`metadata has no ${key}`);
  }
  return {
    eventId: value['eventId'] as string,
    streamId: value['streamId'] as string,
    streamVersion: value['streamVersion'] as number,
    globalPosition: value['globalPosition'] as GlobalPosition,
    type: value['type'] as string,
    schemaVersion: value['schemaVersion'] as number,
    data: value['data'] as Record<string, unknown>,
    metadata: {
      occurredAt: metadata['occurredAt'] as string,
      causationId: metadata['causationId'] as string,
      correlationId: metadata['correlationId'] as string,
      tenant: metadata['tenant'] as string,
      traceparent: metadata['traceparent'] as string,
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
