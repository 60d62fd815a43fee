import { randomBytes } from 'node:crypto';
import { getPostgreSQLEventStore, type PostgresEventStore } from '@event-driven-io/emmett-postgresql';
import { createPostgresEventStore, migratePostgresEventStore, type EventStore } from '@ringbus/event-store';
import pg from 'pg';
import { type BenchCall } from './call-events.js';

/** An event store under test, appending calls the way a service would. */
export interface AppendTarget {
  readonly name: string;
  /** One append per event, each with the version the previous append returned. */
  appendEventByEvent(call: BenchCall): Promise<void>;
  /** The whole call in one append. */
  appendWholeCall(call: BenchCall): Promise<void>;
  close(): Promise<void>;
}

export interface BenchSchema {
  readonly schema: string;
  readonly pool: pg.Pool;
  readonly connectionString: string;
  drop(): Promise<void>;
}

/** A fresh schema and a pool of `poolSize` connections whose search_path is that schema. */
export async function createBenchSchema(
  databaseUrl: string,
  prefix: string,
  poolSize: number,
): Promise<BenchSchema> {
  const schema = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`create schema "${schema}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const connectionString = url.toString();
  const pool = new pg.Pool({ connectionString, max: poolSize });
  pool.on('error', () => undefined);
  return {
    schema,
    pool,
    connectionString,
    async drop() {
      await pool.end();
      const cleanup = new pg.Client({ connectionString: databaseUrl });
      await cleanup.connect();
      try {
        await cleanup.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

export async function ringbusTarget(schema: BenchSchema): Promise<AppendTarget & { store: EventStore }> {
  await migratePostgresEventStore(schema.pool);
  const store = createPostgresEventStore({ pool: schema.pool });
  return {
    name: 'ringbus',
    store,
    async appendEventByEvent(call) {
      let version = 0;
      for (const event of call.events) {
        version = (await store.appendToStream(call.streamId, [event], { expectedVersion: version }))
          .nextExpectedVersion;
      }
    },
    async appendWholeCall(call) {
      await store.appendToStream(call.streamId, call.events, { expectedVersion: 'no_stream' });
    },
    close: () => store.close(),
  };
}

/**
 * Emmett's PostgreSQL event store (the peer) over the same kind of pool. Its schema is created up front
 * so no run pays for auto-migration; events carry the same data and metadata, with our event id as
 * Emmett's message id.
 */
export async function emmettTarget(
  schema: BenchSchema,
): Promise<AppendTarget & { store: PostgresEventStore }> {
  const store = getPostgreSQLEventStore(schema.connectionString, {
    connectionOptions: { pool: schema.pool },
    schema: { autoMigration: 'None' },
  });
  await store.schema.migrate();
  const toEmmett = (event: BenchCall['events'][number]) => ({
    type: event.type,
    data: event.data,
    metadata: { messageId: event.eventId, schemaVersion: event.schemaVersion, ...event.metadata },
  });
  return {
    name: 'emmett',
    store,
    async appendEventByEvent(call) {
      let version = 0n;
      for (const event of call.events) {
        const result = await store.appendToStream(call.streamId, [toEmmett(event)], {
          expectedStreamVersion: version,
        });
        version = result.nextExpectedStreamVersion;
      }
    },
    async appendWholeCall(call) {
      await store.appendToStream(call.streamId, call.events.map(toEmmett), { expectedStreamVersion: 0n });
    },
    close: () => store.close(),
  };
}
