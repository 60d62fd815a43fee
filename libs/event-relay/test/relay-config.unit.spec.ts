import { type NatsConnection } from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';
import { createInMemoryEventStore } from '@ringbus/event-store';
import {
  createInMemoryRelayCheckpoint,
  parseRelayConfig,
  RelayConfigError,
  resolveRelayOptions,
} from '../src/index.js';

const minimalEnv = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
  NATS_URL: 'nats://127.0.0.1:4222',
};

describe('relay process configuration', () => {
  it('fills every default from a minimal environment', () => {
    expect(parseRelayConfig(minimalEnv)).toEqual({
      ...minimalEnv,
      RELAY_NAME: 'event-relay',
      RELAY_STREAM_NAME: 'RINGBUS_EVENTS',
      RELAY_SUBJECT_PREFIX: 'ringbus.events',
      RELAY_BATCH_SIZE: 500,
      RELAY_WAKE_UP: 'listen',
      RELAY_STREAM_REPLICAS: 1,
      LOG_LEVEL: 'info',
    });
  });

  it('reads numbers and names, and treats an empty variable as unset', () => {
    const config = parseRelayConfig({
      ...minimalEnv,
      NATS_URL: 'nats://10.0.0.1:4222, nats://10.0.0.2:4222',
      RELAY_NAME: 'relay-eu',
      RELAY_STREAM_NAME: 'EVENTS_EU',
      RELAY_SUBJECT_PREFIX: 'eu.events',
      RELAY_BATCH_SIZE: '2000',
      RELAY_IDLE_POLL_MS: '',
    });
    expect(config).toMatchObject({ RELAY_NAME: 'relay-eu', RELAY_BATCH_SIZE: 2000 });
    expect(config.RELAY_IDLE_POLL_MS).toBeUndefined();
  });

  it('names every missing variable', () => {
    expect(() => parseRelayConfig({})).toThrow(/DATABASE_URL is required.*NATS_URL is required/);
  });

  it.each([
    ['DATABASE_URL', 'mysql://db/x', /DATABASE_URL must be a URL like postgres:/],
    ['NATS_URL', 'http://127.0.0.1:4222', /NATS_URL must be nats:\/\/host:port/],
    ['RELAY_BATCH_SIZE', '0', /RELAY_BATCH_SIZE must be from 1 to 10000/],
    ['RELAY_BATCH_SIZE', 'lots', /RELAY_BATCH_SIZE must be a whole number/],
    ['RELAY_SUBJECT_PREFIX', 'ringbus.*', /RELAY_SUBJECT_PREFIX must be dot-separated literal NATS tokens/],
    ['RELAY_STREAM_NAME', 'ringbus.events', /RELAY_STREAM_NAME must be a JetStream stream name/],
    ['RELAY_NAME', 'no spaces please', /RELAY_NAME must be letters/],
  ])('refuses a bad %s with a message naming it', (variable, value, message) => {
    let thrown: unknown;
    try {
      parseRelayConfig({ ...minimalEnv, [variable]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RelayConfigError);
    expect((thrown as RelayConfigError).message).toMatch(message);
    expect((thrown as RelayConfigError).retryable).toBe(false);
  });
});

describe('relay options', () => {
  // resolveRelayOptions never touches the connection; a closed-over placeholder is enough to type it.
  const nats = {} as NatsConnection;
  const base = { store: createInMemoryEventStore(), nats, checkpoint: createInMemoryRelayCheckpoint('r') };

  it('defaults to the shared stream and subject prefix, batches of 500', () => {
    const resolved = resolveRelayOptions(base);
    expect(resolved).toMatchObject({
      streamName: 'RINGBUS_EVENTS',
      subjectPrefix: 'ringbus.events',
      batchSize: 500,
      duplicateWindowMs: 600_000,
      backoff: { initialMs: 100, maxMs: 5_000 },
    });
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it('polls less often by default when a wake-up signal is given', () => {
    const wakeUp = () => Promise.resolve({ close: () => Promise.resolve() });
    expect(resolveRelayOptions({ ...base, wakeUp }).idlePollMs).toBe(1_000);
    expect(resolveRelayOptions({ ...base, wakeUp, idlePollMs: 250 }).idlePollMs).toBe(250);
    expect(resolveRelayOptions(base).idlePollMs).toBe(100);
  });

  it.each([
    [{ batchSize: 0 }, /batchSize/],
    [{ idlePollMs: 1.5 }, /idlePollMs/],
    [{ subjectPrefix: 'a..b' }, /subjectPrefix/],
    [{ streamName: 'A B' }, /streamName/],
    [{ backoff: { initialMs: 500, maxMs: 100 } }, /backoff.maxMs/],
  ])('refuses %j', (override, message) => {
    expect(() => resolveRelayOptions({ ...base, ...override })).toThrow(message);
  });
});
