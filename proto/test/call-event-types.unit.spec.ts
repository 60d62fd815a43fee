import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import {
  CallEventSchema,
  EventDataError,
  HoldMediaDirection,
  callEventFromRecord,
  callEventToRecord,
  callEventTypes,
  isCallEventType,
  type CallEvent,
} from '../src/index.js';

const callId = '0192f1c2-7a3b-7c4d-8e5f-0123456789ab';
const occurredAt = timestampFromMs(Date.UTC(2025, 0, 2, 3, 4, 5, 678));

describe('callEventTypes', () => {
  it('has exactly one entry per CallEvent oneof member, with the member message as its schema', () => {
    const oneof = CallEventSchema.oneofs.find((o) => o.name === 'event');
    const members = (oneof?.fields ?? []).map((field) => ({
      type: field.message?.name,
      case: field.localName,
      typeName: field.message?.typeName,
    }));
    const registered = Object.entries(callEventTypes).map(([type, entry]) => ({
      type,
      case: entry.case,
      typeName: entry.schema.typeName,
    }));

    expect(members.length).toBeGreaterThan(0);
    expect(registered).toEqual(expect.arrayContaining(members));
    expect(members).toEqual(expect.arrayContaining(registered));
  });

  it('stores each type under its message name in package ringbus.call.v1, at schema version 1', () => {
    for (const [type, entry] of Object.entries(callEventTypes)) {
      expect(entry.schema.typeName).toBe(`ringbus.call.v1.${type}`);
      expect(entry.schemaVersion).toBe(1);
      expect(isCallEventType(type)).toBe(true);
    }
    expect(isCallEventType('toString')).toBe(false);
  });
});

describe('call event records', () => {
  it('turns a CallEvent into a stored record and back', () => {
    const held = create(CallEventSchema, {
      event: {
        case: 'heldByUs',
        value: { callId, occurredAt, mediaDirection: HoldMediaDirection.INACTIVE },
      },
    });

    const record = callEventToRecord(held);

    expect(record).toEqual({
      type: 'HeldByUs',
      schemaVersion: 1,
      data: {
        callId,
        occurredAt: '2025-01-02T03:04:05.678Z',
        mediaDirection: 'HOLD_MEDIA_DIRECTION_INACTIVE',
      },
    });
    expect(callEventFromRecord(JSON.parse(JSON.stringify(record)) as typeof record)).toEqual(held);
  });

  it('refuses a CallEvent without an event', () => {
    const empty: CallEvent = create(CallEventSchema, {});
    expect(() => callEventToRecord(empty)).toThrow(EventDataError);
  });

  it('names unknown types and unreadable schema versions with their own codes', () => {
    expect(() => callEventFromRecord({ type: 'CallParked', schemaVersion: 1, data: {} })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_EVENT_TYPE' }),
    );
    expect(() => callEventFromRecord({ type: 'Ringing', schemaVersion: 2, data: {} })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_SCHEMA_VERSION' }),
    );
  });
});
