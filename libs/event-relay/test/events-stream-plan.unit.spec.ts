import { type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';
import { EventsStreamIncompatibleError, planEventsStream, subjectFilterCovers } from '../src/index.js';

const spec = {
  streamName: 'RINGBUS_EVENTS',
  subjectPrefix: 'ringbus.events',
  duplicateWindowMs: 600_000,
  replicas: 1,
};

function existingStream(overrides: Partial<StreamConfig> = {}): StreamConfig {
  return {
    name: 'RINGBUS_EVENTS',
    subjects: ['ringbus.events.>'],
    retention: 'limits',
    storage: 'file',
    discard: 'old',
    max_consumers: -1,
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
    max_msgs_per_subject: -1,
    max_msg_size: -1,
    num_replicas: 1,
    duplicate_window: nanos(600_000),
    sealed: false,
    deny_delete: false,
    deny_purge: false,
    allow_rollup_hdrs: false,
    allow_direct: false,
    mirror_direct: false,
    ...overrides,
  } as StreamConfig;
}

describe('planning the events stream', () => {
  it('creates a file-stored, limits-retention stream over <prefix>.> with the dedup window', () => {
    expect(planEventsStream(spec, undefined)).toEqual({
      action: 'create',
      config: {
        name: 'RINGBUS_EVENTS',
        subjects: ['ringbus.events.>'],
        storage: 'file',
        retention: 'limits',
        duplicate_window: nanos(600_000),
        num_replicas: 1,
      },
    });
  });

  it('keeps a stream that already fits', () => {
    expect(planEventsStream(spec, existingStream())).toEqual({ action: 'keep' });
  });

  it('keeps an operator-chosen longer dedup window and a wider subject', () => {
    const wider = existingStream({ subjects: ['ringbus.>'], duplicate_window: nanos(3_600_000) });
    expect(planEventsStream(spec, wider)).toEqual({ action: 'keep' });
  });

  it('widens a short dedup window and adds a missing subject, keeping everything else', () => {
    const plan = planEventsStream(
      spec,
      existingStream({ subjects: ['other.>'], duplicate_window: nanos(120_000), max_age: 99 }),
    );
    expect(plan.action).toBe('update');
    if (plan.action !== 'update') return;
    expect(plan.config.subjects).toEqual(['other.>', 'ringbus.events.>']);
    expect(plan.config.duplicate_window).toBe(nanos(600_000));
    expect(plan.config.max_age).toBe(99);
    expect(plan.changes).toHaveLength(2);
  });

  it.each([
    [{ storage: 'memory' }, /events need file storage/],
    [{ retention: 'workqueue' }, /events need limits retention/],
    [{ retention: 'interest' }, /events need limits retention/],
    [{ sealed: true }, /sealed/],
  ] as const)('refuses to touch a stream with %j', (overrides, message) => {
    const attempt = () => planEventsStream(spec, existingStream(overrides as Partial<StreamConfig>));
    expect(attempt).toThrow(EventsStreamIncompatibleError);
    expect(attempt).toThrow(message);
  });
});

describe('subject filter coverage', () => {
  it.each([
    ['ringbus.events.>', 'ringbus.events.>', true],
    ['ringbus.>', 'ringbus.events.>', true],
    ['>', 'ringbus.events.>', true],
    ['ringbus.*.>', 'ringbus.events.>', true],
    ['ringbus.events.*', 'ringbus.events.>', false],
    ['ringbus.events', 'ringbus.events.>', false],
    ['ringbus.other.>', 'ringbus.events.>', false],
    ['ringbus.events.>', 'ringbus.>', false],
  ])('%s covers %s: %s', (filter, subject, covers) => {
    expect(subjectFilterCovers(filter, subject)).toBe(covers);
  });
});
