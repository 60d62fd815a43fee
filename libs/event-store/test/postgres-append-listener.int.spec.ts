import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestSchema, type TestSchema } from '@ringbus/testkit';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresEventStore,
  listenForAppends,
  migratePostgresEventStore,
  StoreUnavailableError,
  type AppendListener,
  type EventStore,
  type NewEvent,
} from '../src/index.js';

let first: TestSchema;
let second: TestSchema;
let firstStore: EventStore;
let secondStore: EventStore;
const listeners: AppendListener[] = [];

beforeAll(async () => {
  first = await createTestSchema('append_listener_a', 4);
  second = await createTestSchema('append_listener_b', 4);
  await migratePostgresEventStore(first.pool);
  await migratePostgresEventStore(second.pool);
  firstStore = createPostgresEventStore({ pool: first.pool });
  secondStore = createPostgresEventStore({ pool: second.pool });
});

afterEach(async () => {
  for (const listener of listeners.splice(0)) await listener.close();
});

afterAll(async () => {
  await firstStore?.close();
  await secondStore?.close();
  await first?.drop();
  await second?.drop();
});

function callEvent(): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'CallRequested',
    schemaVersion: 1,
    data: { note: 'wake-up' },
    metadata: {
      occurredAt: new Date().toISOString(),
      causationId: randomUUID(),
      correlationId: randomUUID(),
      tenant: 'acme',
      traceparent: '',
    },
  };
}

/** Counts notifications and lets a test wait for the next one. */
function notificationCounter() {
  let count = 0;
  let waiters: (() => void)[] = [];
  return {
    onAppend: () => {
      count++;
      for (const wake of waiters.splice(0)) wake();
    },
    get count() {
      return count;
    },
    async next(timeoutMs = 5_000): Promise<void> {
      const before = count;
      const deadline = Date.now() + timeoutMs;
      while (count === before) {
        if (Date.now() > deadline) throw new Error('no notification arrived');
        await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), sleep(50)]);
      }
      waiters = [];
    },
  };
}

async function listen(
  pool: pg.Pool,
  onAppend: () => void,
  options?: Parameters<typeof listenForAppends>[2],
): Promise<AppendListener> {
  const listener = await listenForAppends(pool, onAppend, options);
  listeners.push(listener);
  return listener;
}

describe('listenForAppends', () => {
  it('is notified after an append commits, when the event is already readable', async () => {
    const seenAtNotification: string[][] = [];
    const streamId = `call-${randomUUID()}`;
    const counter = notificationCounter();
    await listen(first.pool, () => {
      counter.onAppend();
      void firstStore
        .readStream(streamId)
        .then((events) => seenAtNotification.push(events.map((event) => event.eventId)))
        .catch(() => seenAtNotification.push([]));
    });
    const event = callEvent();
    await firstStore.appendToStream(streamId, [event], { expectedVersion: 'no_stream' });
    await counter.next();
    await sleep(50);
    expect(seenAtNotification[0]).toEqual([event.eventId]);
  });

  it('is not notified by an append that changed nothing', async () => {
    const streamId = `call-${randomUUID()}`;
    await firstStore.appendToStream(streamId, [callEvent()], { expectedVersion: 'no_stream' });
    await firstStore.close(); // lets the notification of that append go out first
    await sleep(100);
    const counter = notificationCounter();
    await listen(first.pool, counter.onAppend);
    await expect(
      firstStore.appendToStream(streamId, [callEvent()], { expectedVersion: 'no_stream' }),
    ).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    await sleep(300);
    expect(counter.count).toBe(0);
  });

  it('hears only appends to the store in its own schema', async () => {
    const firstCounter = notificationCounter();
    const secondCounter = notificationCounter();
    await listen(first.pool, firstCounter.onAppend);
    await listen(second.pool, secondCounter.onAppend);
    await secondStore.appendToStream(`call-${randomUUID()}`, [callEvent()], { expectedVersion: 'any' });
    await secondCounter.next();
    await sleep(300);
    expect(firstCounter.count).toBe(0);
    await firstStore.appendToStream(`call-${randomUUID()}`, [callEvent()], { expectedVersion: 'any' });
    await firstCounter.next();
  });

  it('reconnects after its connection is terminated, and signals once listening again', async () => {
    const counter = notificationCounter();
    const lost: unknown[] = [];
    await listen(first.pool, counter.onAppend, {
      backoff: { initialMs: 20, maxMs: 200 },
      onConnectionLost: (error) => lost.push(error),
    });
    const { rows: channels } = await first.pool.query<{ channel: string }>(
      `select 'ringbus_appended_' || md5(current_schema()) as channel`,
    );
    const listenQuery = `LISTEN "${channels[0]?.channel}"`;
    const { rows } = await first.pool.query<{ terminated: boolean }>(
      'select pg_terminate_backend(pid) as terminated from pg_stat_activity where query = $1',
      [listenQuery],
    );
    expect(rows).toEqual([{ terminated: true }]);
    // Nothing was appended: this is the "you may have missed something" signal after reconnecting.
    await counter.next();
    expect(lost.length).toBeGreaterThanOrEqual(1);
    const { rows: after } = await first.pool.query<{ listeners: number }>(
      'select count(*)::int as listeners from pg_stat_activity where query = $1',
      [listenQuery],
    );
    expect(after).toEqual([{ listeners: 1 }]);
    const beforeAppend = counter.count;
    await firstStore.appendToStream(`call-${randomUUID()}`, [callEvent()], { expectedVersion: 'any' });
    await counter.next();
    expect(counter.count).toBeGreaterThan(beforeAppend);
  });

  it('rejects with StoreUnavailableError when PostgreSQL is unreachable at first', async () => {
    await expect(listenForAppends('postgres://postgres@127.0.0.1:1/test', () => {})).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });
});
