import { headers as natsHeaders } from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';
import { DeadLetterHeader, deadLetterHeaders } from '../src/index.js';

describe('dead-letter headers', () => {
  const original = natsHeaders();
  original.set('Nats-Msg-Id', 'event-1');
  original.set('Nats-Expected-Last-Sequence', '41');
  original.set('Ringbus-Event-Type', 'CallEnded');
  original.set('traceparent', '00-abc-def-01');

  const headers = deadLetterHeaders(original, {
    reason: 'handler_failed',
    failure: { code: 'CDR_REJECTED', message: 'line one\r\nline two', retryable: false },
    subject: 'ringbus.events.acme.call.call-1.CallEnded',
    stream: 'RINGBUS_EVENTS',
    streamSequence: 42,
    deliveryCount: 5,
    consumer: 'billing',
    failedAt: new Date('2026-11-25T08:00:00.000Z'),
  });

  it("keeps the original's own headers but none that would steer the publish", () => {
    expect(headers.get('Ringbus-Event-Type')).toBe('CallEnded');
    expect(headers.get('traceparent')).toBe('00-abc-def-01');
    expect(headers.has('Nats-Msg-Id')).toBe(false);
    // The relay's expected-sequence header would make JetStream refuse the dead-letter publish.
    expect(headers.has('Nats-Expected-Last-Sequence')).toBe(false);
  });

  it('says why, where from and after how many deliveries, on one line each', () => {
    expect(headers.get(DeadLetterHeader.reason)).toBe('handler_failed');
    expect(headers.get(DeadLetterHeader.errorCode)).toBe('CDR_REJECTED');
    expect(headers.get(DeadLetterHeader.errorMessage)).toBe('line one line two');
    expect(headers.get(DeadLetterHeader.deliveryCount)).toBe('5');
    expect(headers.get(DeadLetterHeader.originalSubject)).toBe('ringbus.events.acme.call.call-1.CallEnded');
    expect(headers.get(DeadLetterHeader.originalSequence)).toBe('42');
    expect(headers.get(DeadLetterHeader.consumer)).toBe('billing');
  });
});
