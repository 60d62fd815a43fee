import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globalPositionOf, type RecordedEvent } from '@ringbus/event-store';
import {
  decodeEventMessage,
  decodeSubjectToken,
  encodeEventMessage,
  encodeSubjectToken,
  EventHeader,
  eventSubject,
  MalformedEventMessageError,
} from '../src/index.js';

const event: RecordedEvent = {
  eventId: '0192f3a0-0000-7000-8000-000000000001',
  streamId: 'call-0192f3a0-0000-7000-8000-00000000abcd',
  streamVersion: 3,
  globalPosition: globalPositionOf(812n, 45n),
  type: 'CallEnded',
  schemaVersion: 1,
  data: { sipCode: 200, hungUpBy: 'CALLER' },
  metadata: {
    occurredAt: '2026-11-25T08:00:00.000Z',
    causationId: 'cmd-1',
    correlationId: 'call-0192f3a0',
    tenant: 'acme',
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  },
};

describe('event message on NATS', () => {
  it('puts tenant, category, stream and type in the subject and the event id in Nats-Msg-Id', () => {
    const message = encodeEventMessage(event);
    expect(message.subject).toBe(`ringbus.events.acme.call.${event.streamId}.CallEnded`);
    expect(message.headers.get(EventHeader.messageId)).toBe(event.eventId);
    expect(message.headers.get(EventHeader.globalPosition)).toBe(event.globalPosition);
    expect(message.headers.get(EventHeader.traceparent)).toBe(event.metadata.traceparent);
    expect(decodeEventMessage(message.subject, message.body)).toEqual(event);
  });

  it('escapes characters a subject token cannot hold, reversibly', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const token = encodeSubjectToken(value);
        expect(token).not.toMatch(/[.*>\s]/);
        expect(token.length).toBeGreaterThan(0);
        expect(decodeSubjectToken(token)).toBe(value);
      }),
    );
    expect(eventSubject({ tenant: 'a.b', streamId: 'call-x*', type: 'T' })).toBe(
      'ringbus.events.a%2Eb.call.call-x%2A.T',
    );
  });

  it('refuses a body that is not a recorded event, with a typed error', () => {
    const bad = [
      new TextEncoder().encode('{nope'),
      new TextEncoder().encode(JSON.stringify({ ...event, globalPosition: '7' })),
    ];
    for (const body of bad) {
      expect(() => decodeEventMessage('s', body)).toThrow(MalformedEventMessageError);
    }
  });
});
