import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BACKOFF_MS,
  durableConsumerConfig,
  InvalidBusOptionsError,
  resolveTransportOptions,
} from '../src/index.js';

describe('transport options', () => {
  it('defaults to the relay stream, every event, 5 deliveries and the shared dead-letter stream', () => {
    const options = resolveTransportOptions({ durableName: 'billing' });
    expect(options).toMatchObject({
      streamName: 'RINGBUS_EVENTS',
      subjectPrefix: 'ringbus.events',
      filterSubject: 'ringbus.events.>',
      maxDeliver: 5,
      backoffMs: DEFAULT_BACKOFF_MS,
      ackWaitMs: 30_000,
      deadLetterStream: 'RINGBUS_DLQ',
      deadLetterSubject: 'ringbus.dlq.billing',
      unhandled: 'ack',
      commandQueue: 'billing',
    });
    expect(Object.isFrozen(options)).toBe(true);
  });

  it.each([
    [{ durableName: 'bill.ing' }, 'durableName'],
    [{ durableName: 'billing', maxDeliver: 0 }, 'maxDeliver'],
    [{ durableName: 'billing', backoffMs: [] }, 'backoffMs'],
    [{ durableName: 'billing', ackWaitMs: 10 }, 'ackWaitMs'],
    [{ durableName: 'billing', deadLetter: { subjectPrefix: 'dlq.>' } }, 'deadLetter.subjectPrefix'],
    [{ durableName: 'billing', unhandled: 'drop' }, 'unhandled'],
  ])('names the bad option in %o', (options, name) => {
    expect(() => resolveTransportOptions(options as never)).toThrow(InvalidBusOptionsError);
    try {
      resolveTransportOptions(options as never);
    } catch (error) {
      expect((error as InvalidBusOptionsError).option).toBe(name);
      expect((error as Error).message).toContain(`\`${name}\``);
    }
  });

  it('configures the server for one message at a time, no server backoff and no server delivery limit', () => {
    const config = durableConsumerConfig({
      stream: 'S',
      durableName: 'billing',
      filterSubject: 'ringbus.events.>',
      ackWaitMs: 30_000,
    });
    expect(config).toMatchObject({ max_ack_pending: 1, max_deliver: -1, ack_policy: 'explicit' });
    expect(config.backoff).toBeUndefined();
  });
});
