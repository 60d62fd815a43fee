/**
 * Outages while relaying: a NATS server killed with SIGKILL and restarted on its store, and a PostgreSQL
 * server shut down and restarted. Each test runs its own server so it can stop it without touching anyone
 * else's, and asserts that the stream ends with exactly the stored events.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createPostgresEventStore, migratePostgresEventStore } from '@ringbus/event-store';
import {
  createTestSchema,
  startNatsServer,
  startPostgresServer,
  testNatsUrl,
  uniqueTestName,
  type NatsServerProcess,
  type PostgresServerProcess,
} from '@ringbus/testkit';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEventRelay,
  createInMemoryRelayCheckpoint,
  createPostgresRelayCheckpoint,
} from '../src/index.js';
import {
  appendCalls,
  describeMismatch,
  readWholeStore,
  readWholeStream,
  streamMessageCount,
  waitFor,
} from './relay-fixture.js';

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('event relay through outages', () => {
  it('carries on after the NATS server is killed and restarted, nothing skipped or doubled', async () => {
    const schema = await createTestSchema('relay_nats_outage');
    cleanups.push(() => schema.drop());
    await migratePostgresEventStore(schema.pool);
    const store = createPostgresEventStore({ pool: schema.pool });
    cleanups.push(() => store.close());
    const nats: NatsServerProcess = await startNatsServer();
    cleanups.push(() => nats.stop());
    const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    cleanups.push(() => nc.close());
    const streamName = uniqueTestName('relay_outage');
    const subjectPrefix = uniqueTestName('rbout');

    await appendCalls(store, { streams: 200, eventsPerStream: 50, perAppend: 10 });
    const relay = createEventRelay({
      store,
      nats: nc,
      checkpoint: createInMemoryRelayCheckpoint('outage'),
      streamName,
      subjectPrefix,
      batchSize: 100,
      idlePollMs: 20,
      publishTimeoutMs: 1_000,
      backoff: { initialMs: 50, maxMs: 500 },
    });
    cleanups.push(() => relay.stop());
    await relay.start();
    await waitFor('a part of the backlog on the stream', async () =>
      (await streamMessageCount(nc, streamName)) > 1_000 ? true : undefined,
    );

    nats.kill('SIGKILL');
    await nats.exited;
    await appendCalls(store, { streams: 20, eventsPerStream: 10, perAppend: 2 });
    await waitFor('the relay to notice', () => (relay.status().consecutiveFailures > 0 ? true : undefined));
    await nats.restart();

    const stored = await readWholeStore(store);
    await waitFor(
      'every event on the stream',
      async () =>
        (await streamMessageCount(nc, streamName).catch(() => 0)) >= stored.length ? true : undefined,
      { timeoutMs: 40_000 },
    );
    expect(describeMismatch(stored, await readWholeStream(nc, streamName), subjectPrefix)).toBeUndefined();
    expect(['PUBLISH_FAILED', 'EVENTS_STREAM_UNAVAILABLE']).toContain(relay.status().lastError?.code);
  }, 90_000);

  it('carries on after PostgreSQL shuts down and comes back, nothing skipped or doubled', async () => {
    // Commits durable before they are acknowledged, as in production (the test kit's default trades that
    // for speed): a crashed server then loses no event and no checkpoint that it confirmed.
    const postgres: PostgresServerProcess = await startPostgresServer({
      settings: { synchronous_commit: 'on' },
    });
    cleanups.push(() => postgres.stop());
    const pool = new pg.Pool({ connectionString: postgres.url, max: 4 });
    // Connections die with the server; the relay sees that as failed queries and retries.
    pool.on('error', () => undefined);
    cleanups.push(() => pool.end());
    await migratePostgresEventStore(pool);
    const store = createPostgresEventStore({ pool });
    cleanups.push(() => store.close());
    const nc = await connect({ servers: (await testNatsUrl()).url });
    cleanups.push(() => nc.close());
    const jsm = await jetstreamManager(nc);
    const streamName = uniqueTestName('relay_pg_outage');
    const subjectPrefix = uniqueTestName('rbpg');
    cleanups.push(() => jsm.streams.delete(streamName));

    await appendCalls(store, { streams: 200, eventsPerStream: 50, perAppend: 10 });
    const relay = createEventRelay({
      store,
      nats: nc,
      checkpoint: createPostgresRelayCheckpoint(pool, 'pg-outage'),
      streamName,
      subjectPrefix,
      batchSize: 100,
      idlePollMs: 20,
      backoff: { initialMs: 50, maxMs: 500 },
    });
    cleanups.push(() => relay.stop());
    await relay.start();
    await waitFor('a part of the backlog on the stream', async () =>
      (await streamMessageCount(nc, streamName)) > 1_000 ? true : undefined,
    );

    postgres.kill('SIGKILL');
    await postgres.exited;
    await waitFor('the relay to notice', () => (relay.status().consecutiveFailures > 0 ? true : undefined));
    const stalledAt = await streamMessageCount(nc, streamName);
    await postgres.restart();
    await appendCalls(store, { streams: 20, eventsPerStream: 10, perAppend: 2 });

    const stored = await readWholeStore(store);
    await waitFor(
      'every event on the stream',
      async () => ((await streamMessageCount(nc, streamName)) >= stored.length ? true : undefined),
      { timeoutMs: 40_000 },
    );
    expect(stalledAt).toBeLessThan(stored.length);
    expect(describeMismatch(stored, await readWholeStream(nc, streamName), subjectPrefix)).toBeUndefined();
    expect(await createPostgresRelayCheckpoint(pool, 'pg-outage').load()).toBe(
      stored[stored.length - 1]?.globalPosition,
    );
  }, 90_000);
});
