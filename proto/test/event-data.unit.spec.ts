import { create, fromJson, toJson } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import {
  CallEndReason,
  CallEndedSchema,
  CallParty,
  CallRequestedSchema,
  EventDataError,
  EventEnvelopeSchema,
  fromEventData,
  toEventData,
} from '../src/index.js';

const callId = '0192f1c2-7a3b-7c4d-8e5f-0123456789ab';

describe('event data in proto JSON form', () => {
  it('round-trips an event through JSON text unchanged', () => {
    const ended = create(CallEndedSchema, {
      callId,
      occurredAt: timestampFromMs(Date.UTC(2025, 0, 2, 3, 4, 5, 678)),
      reason: CallEndReason.GATEWAY_LOST,
      hungUpBy: CallParty.SYSTEM,
      sipCode: 0,
      q850Cause: 41,
      reasonText: 'janus gw-eu-1 stopped answering keep-alives',
    });

    const stored = JSON.parse(JSON.stringify(toEventData(CallEndedSchema, ended))) as unknown;

    expect(stored).toEqual({
      callId,
      occurredAt: '2025-01-02T03:04:05.678Z',
      reason: 'CALL_END_REASON_GATEWAY_LOST',
      hungUpBy: 'CALL_PARTY_SYSTEM',
      q850Cause: 41,
      reasonText: 'janus gw-eu-1 stopped answering keep-alives',
    });
    expect(fromEventData(CallEndedSchema, stored)).toEqual(ended);
  });

  it('keeps the presence of an optional field (line 0 is not the guest line)', () => {
    const onLineZero = create(CallRequestedSchema, { callId, line: 0, callee: '+15550100' });
    const onGuestLine = create(CallRequestedSchema, { callId, callee: '+15550100' });

    expect(fromEventData(CallRequestedSchema, toEventData(CallRequestedSchema, onLineZero)).line).toBe(0);
    expect(
      fromEventData(CallRequestedSchema, toEventData(CallRequestedSchema, onGuestLine)).line,
    ).toBeUndefined();
  });

  it('ignores fields and enum values a newer schema added, so older consumers keep reading', () => {
    const fromNewerProducer = {
      callId,
      reason: 'CALL_END_REASON_SOMETHING_NEW',
      hungUpBy: 'CALL_PARTY_CALLEE',
      sipCode: 487,
      addedInALaterRelease: { nested: true },
    };

    const read = fromEventData(CallEndedSchema, fromNewerProducer);

    expect(read.callId).toBe(callId);
    expect(read.sipCode).toBe(487);
    expect(read.hungUpBy).toBe(CallParty.CALLEE);
    expect(read.reason).toBe(CallEndReason.UNSPECIFIED);
  });

  it('refuses data that is not an object or has a field of the wrong type', () => {
    expect(() => fromEventData(CallEndedSchema, [1, 2])).toThrow(EventDataError);
    const wrongType = (): unknown => fromEventData(CallEndedSchema, { sipCode: 'four hundred' });
    expect(wrongType).toThrow(expect.objectContaining({ code: 'EVENT_DATA_INVALID', retryable: false }));
  });
});

describe('EventEnvelope', () => {
  it('reads the JSON body the event store and relay write (nested metadata, numeric versions)', () => {
    const body = {
      eventId: '0192f1c2-7a3b-7c4d-8e5f-0000000000aa',
      streamId: `call-${callId}`,
      streamVersion: 3,
      globalPosition: '00000000000000000812.00000000000000000004',
      type: 'CallEnded',
      schemaVersion: 1,
      data: { callId, reason: 'CALL_END_REASON_NORMAL', sipCode: 200 },
      metadata: {
        occurredAt: '2025-01-02T03:04:05.678Z',
        causationId: 'cmd-1',
        correlationId: callId,
        tenant: 'acme',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
    };

    const envelope = fromJson(EventEnvelopeSchema, body);

    expect(envelope.streamVersion).toBe(3);
    expect(envelope.metadata?.tenant).toBe('acme');
    expect(fromEventData(CallEndedSchema, toJson(EventEnvelopeSchema, envelope).data).sipCode).toBe(200);
    expect(toJson(EventEnvelopeSchema, envelope)).toEqual(body);
  });
});
