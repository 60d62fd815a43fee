import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestSchema, type TestSchema } from '@ringbus/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresEventStore,
  EventTooLargeError,
  InvalidAppendError,
  migratePostgresEventStore,
  StoreUnavailableError,
  type NewEvent,
} from '../src/index.js';
import { runEventStoreContract } from './event-store.contract.js';

let testSchema: TestSchema;

beforeAll(async () => {
  testSchema = await createTestSchema('event_store_contract');
  await migratePostgresEventStore(testSchema.pool);
});

afterAll(async () => {
  await testSchema?.drop();
});

runEventStoreContract('PostgreSQL', async () => createPostgresEventStore({ pool: testSchema.pool }));

describe('PostgreSQL event store adapter', () => {
  it('migrates idempotently, keeping its own bookkeeping table in the pool schema', async () => {
    await migratePostgresEventStore(testSchema.pool);
    const { rows } = await testSchema.pool.query<{ name: string }>('select name from event_store_migration');
    expect(rows.map((row) => row.name)).toEqual(['0001_create_events']);
  });

  it('applies its maxEventBytes option', async () => {
    const store = createPostgresEventStore({ pool: testSchema.pool, maxEventBytes: 300 });
    const event = callEvent({ padding: 'x'.repeat(300) });
    await expect(
      store.appendToStream(`call-${randomUUID()}`, [event], { expectedVersion: 'any' }),
    ).rejects.toMatchObject({
      code: 'EVENT_TOO_LARGE',
      limitBytes: 300,
    });
  });

  describe('with the server unreachable', () => {
    let unreachable: pg.Pool;

    beforeAll(() => {
      // Port 1 on loopback: nothing listens, so every connect is refused at once.
      unreachable = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/test', max: 2 });
    });

    afterAll(async () => {
      await unreachable.end();
    });

    it('reports StoreUnavailableError, retryable, with the driver error as cause', async () => {
      const store = createPostgresEventStore({ pool: unreachable });
      const streamId = `call-${randomUUID()}`;
      for (const operation of [
        store.appendToStream(streamId, [callEvent()], { expectedVersion: 'any' }),
        store.readStream(streamId),
        store.readAll({ maxCount: 10 }),
        migratePostgresEventStore(unreachable),
      ]) {
        const error = await operation.catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
        expect((error as Error).cause).toBeDefined();
      }
    });

    it('refuses oversized and malformed appends before touching the database', async () => {
      const store = createPostgresEventStore({ pool: unreachable, maxEventBytes: 100 });
      await expect(
        store.appendToStream('call-x', [callEvent({ padding: 'x'.repeat(200) })], { expectedVersion: 'any' }),
      ).rejects.toBeInstanceOf(EventTooLargeError);
      await expect(
        store.appendToStream('', [callEvent()], { expectedVersion: 'any' }),
      ).rejects.toBeInstanceOf(InvalidAppendError);
    });
  });

  it('reports StoreUnavailableError when an administrator terminates the connection mid-append', async () => {
    const storePool = new pg.Pool({
      connectionString: testSchema.databaseUrl,
      max: 1,
      options: `-c search_path=${testSchema.schema}`,
    });
    // The killed connection also ends up idle in this pool, which then emits `error`: owners of a pool
    // listen for that (service-kit does), or the process dies.
    storePool.on('error', () => undefined);
    const locker = await testSchema.pool.connect();
    try {
      const { rows } = await storePool.query<{ pid: number }>('select pg_backend_pid() as pid');
      const storeBackend = rows[0]!.pid;
      // Hold the table so the append waits on the server, then kill the waiting backend.
      await locker.query('begin; lock table events in access exclusive mode');
      const store = createPostgresEventStore({ pool: storePool });
      const append = store
        .appendToStream(`call-${randomUUID()}`, [callEvent()], { expectedVersion: 'any' })
        .catch((caught: unknown) => caught);
      await waitUntilWaitingOnLock(storeBackend);
      await testSchema.pool.query('select pg_terminate_backend($1)', [storeBackend]);

      const error = await append;
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).cause).toMatchObject({ code: '57P01' });
    } finally {
      await locker.query('rollback');
      locker.release();
      await storePool.end();
    }
  });
});

async function waitUntilWaitingOnLock(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { rows } = await testSchema.pool.query<{ waiting: boolean }>(
      "select wait_event_type = 'Lock' as waiting from pg_stat_activity where pid = $1",
      [pid],
    );
    if (rows[0]?.waiting === true) return;
    await sleep(10);
  }
  throw new Error(`backend ${pid} never waited on the table lock`);
}

function callEvent(data: Record<string, unknown> = {}): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'CallRequested',
    schemaVersion: 1,
    data: { callId: randomUUID(), ...data },
    metadata: {
      occurredAt: new Date().toISOString(),
      causationId: randomUUID(),
      correlationId: randomUUID(),
      tenant: 'acme',
      traceparent: '',
    },
  };
}
