import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  createPostgresEventStore,
  migratePostgresEventStore,
  type EventStore,
  type GlobalPosition,
} from '@ringbus/event-store';
import { encodeEventMessage } from '@ringbus/event-wire';
import { createTestSchema, testNatsUrl, uniqueTestName, type TestSchema } from '@ringbus/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createEventRelay,
  createInMemoryRelayCheckpoint,
  createPostgresRelayCheckpoint,
  CheckpointUnavailableError,
  EventsStreamIncompatibleError,
  type EventRelay,
  type EventRelayOptions,
} from '../src/index.js';
import {
  appendCalls,
  describeMismatch,
  readWholeStore,
  readWholeStream,
  streamMessageCount,
  waitFor,
} from './relay-fixture.js';

let schema: TestSchema;
let nc: NatsConnection;
let jsm: JetStreamManager;
let store: EventStore;
const streamsToDelete: string[] = [];
const relays: EventRelay[] = [];

beforeAll(async () => {
  schema = await createTestSchema('event_relay');
  await migratePostgresEventStore(schema.pool);
  store = createPostgresEventStore({ pool: schema.pool });
  nc = await connect({ servers: (await testNatsUrl()).url });
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  for (const name of streamsToDelete) await jsm.streams.delete(name).catch(() => false);
  await nc?.close();
  await store?.close();
  await schema?.drop();
});

let streamName: string;
let subjectPrefix: string;

beforeEach(() => {
  streamName = uniqueTestName('relay');
  subjectPrefix = uniqueTestName('rbev');
  streamsToDelete.push(streamName);
});

afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.stop();
});

function relayWith(overrides: Partial<EventRelayOptions> = {}): EventRelay {
  const relay = createEventRelay({
    store,
    nats: nc,
    checkpoint: createInMemoryRelayCheckpoint('test'),
    streamName,
    subjectPrefix,
    idlePollMs: 20,
    backoff: { initialMs: 20, maxMs: 200 },
    ...overrides,
  });
  relays.push(relay);
  return relay;
}

/** Waits until the stream holds every event the store has now, then returns the mismatch, if any. */
async function relayedExactly(timeoutMs = 30_000): Promise<string | undefined> {
  const stored = await readWholeStore(store);
  await waitFor(
    `${stored.length} events on ${streamName}`,
    async () => ((await streamMessageCount(nc, streamName)) >= stored.length ? true : undefined),
    { timeoutMs },
  );
  return describeMismatch(stored, await readWholeStream(nc, streamName), subjectPrefix);
}

// Every test shares one store schema, so each compares against the whole store: the relay under test
// must carry everything stored so far, not only what the test itself appended.

describe('event relay against PostgreSQL and JetStream', () => {
  it('relays every stored event in global order, with its id as Nats-Msg-Id', async () => {
    await appendCalls(store, { streams: 60, eventsPerStream: 20 });
    const relay = relayWith();
    await relay.start();

    expect(await relayedExactly()).toBeUndefined();
    const info = await jsm.streams.info(streamName);
    expect(info.config).toMatchObject({
      subjects: [`${subjectPrefix}.>`],
      storage: 'file',
      retention: 'limits',
      duplicate_window: nanos(600_000),
    });
    expect(relay.status()).toMatchObject({ duplicateAcks: 0, consecutiveFailures: 0 });
  });

  it('relays a 20,000-event backlog in a few seconds', async () => {
    await appendCalls(store, { streams: 400, eventsPerStream: 50, perAppend: 25, concurrency: 8 });
    const total = (await readWholeStore(store)).length;
    const relay = relayWith({ batchSize: 500 });
    const started = performance.now();
    await relay.start();
    await waitFor(
      'the backlog on the stream',
      async () => ((await streamMessageCount(nc, streamName)) >= total ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    const seconds = (performance.now() - started) / 1_000;
    console.log(
      `relayed ${total} events in ${seconds.toFixed(2)} s (${Math.round(total / seconds)} events/s)`,
    );
    expect(seconds).toBeLessThan(10);
    expect(await relayedExactly()).toBeUndefined();
  });

  it('relays events appended while it runs', async () => {
    const relay = relayWith();
    await relay.start();
    for (let round = 0; round < 5; round++) {
      await appendCalls(store, { streams: 10, eventsPerStream: 7, perAppend: 1, concurrency: 5 });
    }
    expect(await relayedExactly()).toBeUndefined();
  });

  it('resumes after stop and start from the PostgreSQL checkpoint without a duplicate', async () => {
    await appendCalls(store, { streams: 20, eventsPerStream: 10 });
    const checkpoint = createPostgresRelayCheckpoint(schema.pool, uniqueTestName('relay'));
    const first = relayWith({ checkpoint });
    await first.start();
    expect(await relayedExactly()).toBeUndefined();
    await first.stop();
    const lastRelayed = first.status().lastRelayedPosition;
    expect(await checkpoint.load()).toBe(lastRelayed);

    await appendCalls(store, { streams: 20, eventsPerStream: 10 });
    const second = relayWith({
      checkpoint: createPostgresRelayCheckpoint(schema.pool, checkpoint.relayName),
    });
    await second.start();
    expect(await relayedExactly()).toBeUndefined();
    expect(second.status().duplicateAcks).toBe(0);
  });

  it('resumes from the stream tail when its checkpoint was lost, sending nothing twice', async () => {
    await appendCalls(store, { streams: 20, eventsPerStream: 10 });
    const first = relayWith();
    await first.start();
    expect(await relayedExactly()).toBeUndefined();
    await first.stop();

    await appendCalls(store, { streams: 10, eventsPerStream: 10 });
    // A fresh checkpoint knows nothing, as after a crash before its first write.
    const second = relayWith({ checkpoint: createInMemoryRelayCheckpoint('amnesiac') });
    await second.start();
    expect(await relayedExactly()).toBeUndefined();
    expect(second.status().duplicateAcks).toBe(0);
  });

  it('lets two relays run at once without a duplicate or a reordering', async () => {
    await appendCalls(store, { streams: 30, eventsPerStream: 10 });
    const shared = createPostgresRelayCheckpoint(schema.pool, uniqueTestName('relay'));
    const one = relayWith({ checkpoint: shared, batchSize: 50 });
    const two = relayWith({ checkpoint: createInMemoryRelayCheckpoint('other'), batchSize: 70 });
    await Promise.all([one.start(), two.start()]);
    for (let round = 0; round < 4; round++) {
      await appendCalls(store, { streams: 15, eventsPerStream: 6, perAppend: 2, concurrency: 6 });
    }
    expect(await relayedExactly()).toBeUndefined();
  });

  it('is guarded by JetStream: a publish expecting a stale last sequence is refused, even with a new msg id', async () => {
    await appendCalls(store, { streams: 10, eventsPerStream: 10 });
    const relay = relayWith();
    await relay.start();
    expect(await relayedExactly()).toBeUndefined();
    await relay.stop();

    // A relay that still believes the stream ends at sequence 0 resends the first stored events.
    const [first] = await store.readAll({ maxCount: 1 });
    if (first === undefined) throw new Error('store is empty');
    const message = encodeEventMessage(first, subjectPrefix);
    message.headers.set('Nats-Msg-Id', `${first.eventId}-outside-dedup-window`);
    await expect(
      jetstream(nc).publish(message.subject, message.body, {
        headers: message.headers,
        expect: { lastSequence: 0 },
      }),
    ).rejects.toThrow(/wrong last sequence/);
    expect(await relayedExactly()).toBeUndefined();
  });

  it('stop() finishes the batch in flight and leaves the checkpoint at the stream tail', async () => {
    await appendCalls(store, { streams: 100, eventsPerStream: 20, perAppend: 10 });
    const checkpoint = createInMemoryRelayCheckpoint('stopper');
    const relay = relayWith({ checkpoint, batchSize: 200 });
    await relay.start();
    await waitFor('a first batch', async () =>
      (await streamMessageCount(nc, streamName)) > 0 ? true : undefined,
    );
    await relay.stop();

    const messages = await readWholeStream(nc, streamName);
    const storedCount = (await readWholeStore(store)).length;
    // Whole batches only, unless the store's end came first.
    expect(messages.length % 200 === 0 || messages.length === storedCount).toBe(true);
    expect(await checkpoint.load()).toBe(messages[messages.length - 1]?.position);
    expect(relay.status().state).toBe('stopped');
  });

  it('widens the dedup window of an existing stream and refuses one in memory', async () => {
    await jsm.streams.add({
      name: streamName,
      subjects: [`${subjectPrefix}.>`],
      storage: 'file',
      duplicate_window: nanos(60_000),
    });
    await relayWith().start();
    expect((await jsm.streams.info(streamName)).config.duplicate_window).toBe(nanos(600_000));

    const memoryStream = uniqueTestName('relay_mem');
    streamsToDelete.push(memoryStream);
    const memoryPrefix = uniqueTestName('rbmem');
    await jsm.streams.add({ name: memoryStream, subjects: [`${memoryPrefix}.>`], storage: 'memory' });
    const refused = relayWith({ streamName: memoryStream, subjectPrefix: memoryPrefix });
    await expect(refused.start()).rejects.toBeInstanceOf(EventsStreamIncompatibleError);
    expect(refused.status().state).toBe('stopped');
  });
});

describe('PostgreSQL relay checkpoint', () => {
  it('creates its table once under concurrent starts and never moves backwards', async () => {
    const name = uniqueTestName('cp');
    const checkpoints = Array.from({ length: 4 }, () => createPostgresRelayCheckpoint(schema.pool, name));
    expect(await Promise.all(checkpoints.map((c) => c.load()))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    const later = '00000000000000000009.00000000000000000002' as GlobalPosition;
    const earlier = '00000000000000000009.00000000000000000001' as GlobalPosition;
    await checkpoints[0]?.save(later);
    await checkpoints[1]?.save(earlier);
    expect(await checkpoints[2]?.load()).toBe(later);
  });

  it('creates its table again when it vanished under a running relay', async () => {
    const checkpoint = createPostgresRelayCheckpoint(schema.pool, uniqueTestName('cp'));
    const position = '00000000000000000009.00000000000000000003' as GlobalPosition;
    await checkpoint.save(position);
    await schema.pool.query('DROP TABLE event_relay_checkpoint');

    await expect(checkpoint.save(position)).rejects.toBeInstanceOf(CheckpointUnavailableError);
    await checkpoint.save(position);
    expect(await checkpoint.load()).toBe(position);
  });
});
