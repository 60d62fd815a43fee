import { JetStreamApiError, type PubAck } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { globalPositionOf, type RecordedEvent } from '@ringbus/event-store';
import {
  interpretBatchAcks,
  PublishFailedError,
  requireAscending,
  StoreOrderViolationError,
  StreamSequenceConflictError,
} from '../src/index.js';

const STREAM = 'EVENTS';

function eventAt(n: number): RecordedEvent {
  return {
    eventId: `00000000-0000-7000-8000-${n.toString().padStart(12, '0')}`,
    streamId: `call-${n}`,
    streamVersion: 1,
    globalPosition: globalPositionOf(BigInt(100 + n), 0n),
    type: 'CallRequested',
    schemaVersion: 1,
    data: {},
    metadata: {
      occurredAt: '2026-01-01T00:00:00.000Z',
      causationId: 'c',
      correlationId: 'c',
      tenant: 't',
      traceparent: '',
    },
  };
}

const events = [0, 1, 2, 3].map(eventAt);
const stored = (seq: number, duplicate = false): PromiseSettledResult<PubAck> => ({
  status: 'fulfilled',
  value: { stream: STREAM, seq, duplicate },
});
const refused = (reason: unknown): PromiseSettledResult<PubAck> => ({ status: 'rejected', reason });
const wrongLastSequence = new JetStreamApiError({
  code: 400,
  err_code: 10071,
  description: 'wrong last sequence: 12',
});

describe('reading the acks of a pipelined batch', () => {
  it('vouches for the whole batch when every event landed right behind the previous one', () => {
    const outcome = interpretBatchAcks(STREAM, 10, events, [stored(11), stored(12), stored(13), stored(14)]);
    expect(outcome).toMatchObject({ relayed: 4, lastSequence: 14, duplicates: 0, failure: undefined });
    expect(outcome.lastPosition).toBe(events[3]?.globalPosition);
  });

  it('counts a duplicate that another relay put exactly in place as relayed', () => {
    const outcome = interpretBatchAcks(STREAM, 10, events, [
      stored(11, true),
      stored(12),
      stored(13, true),
      stored(14),
    ]);
    expect(outcome).toMatchObject({ relayed: 4, lastSequence: 14, duplicates: 2, failure: undefined });
  });

  it('stops at the first refusal and keeps only the prefix before it', () => {
    const outcome = interpretBatchAcks(STREAM, 10, events, [
      stored(11),
      refused(wrongLastSequence),
      refused(wrongLastSequence),
      stored(13),
    ]);
    expect(outcome.relayed).toBe(1);
    expect(outcome.lastSequence).toBe(11);
    expect(outcome.lastPosition).toBe(events[0]?.globalPosition);
    expect(outcome.failure).toBeInstanceOf(StreamSequenceConflictError);
    expect(outcome.failure?.retryable).toBe(true);
  });

  it('reports a timeout or lost connection as a failed publish, relaying nothing after it', () => {
    const outcome = interpretBatchAcks(STREAM, 0, events, [
      refused(new Error('TIMEOUT')),
      stored(1),
      stored(2),
      stored(3),
    ]);
    expect(outcome).toMatchObject({ relayed: 0, lastSequence: 0, lastPosition: undefined });
    expect(outcome.failure).toBeInstanceOf(PublishFailedError);
    expect((outcome.failure as PublishFailedError).eventId).toBe(events[0]?.eventId);
  });

  it('treats an ack at an unexpected sequence as a conflict, never as progress', () => {
    const outcome = interpretBatchAcks(STREAM, 10, events, [stored(11), stored(14), stored(15), stored(16)]);
    expect(outcome.relayed).toBe(1);
    expect(outcome.failure).toBeInstanceOf(StreamSequenceConflictError);
  });

  it('steps past events JetStream already holds earlier in the stream, then stops at the refusal', () => {
    const outcome = interpretBatchAcks(STREAM, 10, events, [
      stored(11),
      stored(7, true),
      stored(8, true),
      refused(wrongLastSequence),
    ]);
    expect(outcome.relayed).toBe(3);
    expect(outcome.duplicates).toBe(2);
    expect(outcome.lastSequence).toBe(11);
    expect(outcome.lastPosition).toBe(events[2]?.globalPosition);
    expect(outcome.failure).toBeInstanceOf(StreamSequenceConflictError);
  });

  it('does not count a message stored after such duplicates as in place: its sequence was not expected', () => {
    const outcome = interpretBatchAcks(STREAM, 10, events, [
      stored(7, true),
      stored(12),
      stored(13),
      stored(14),
    ]);
    expect(outcome.relayed).toBe(1);
    expect(outcome.lastSequence).toBe(10);
    expect(outcome.failure).toBeInstanceOf(StreamSequenceConflictError);
  });
});

describe('a batch read from the store', () => {
  it('must continue strictly after the resume point, ascending', () => {
    expect(() => requireAscending(undefined, events)).not.toThrow();
    expect(() => requireAscending(globalPositionOf(99n, 5n), events)).not.toThrow();
  });

  it.each([
    ['starts at the resume point', globalPositionOf(100n, 0n), events],
    ['starts before the resume point', globalPositionOf(101n, 0n), events],
    ['goes backwards inside the batch', undefined, [eventAt(0), eventAt(2), eventAt(1)]],
    ['repeats an event', undefined, [eventAt(0), eventAt(1), eventAt(1)]],
  ])('is refused when it %s', (_, after, batch) => {
    expect(() => requireAscending(after, batch)).toThrow(StoreOrderViolationError);
  });
});
