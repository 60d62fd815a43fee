import { randomUUID } from 'node:crypto';
import { createTestSchema, type TestSchema } from '@ringbus/testkit';
import { Kysely, PostgresDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateBusSchema, runIdempotentEffect } from '../src/index.js';

interface Ledger {
  ledger: { event_id: string; amount: number };
}

describe('runIdempotentEffect on PostgreSQL', () => {
  let database: TestSchema;
  let db: Kysely<Ledger>;

  beforeAll(async () => {
    database = await createTestSchema('bus_idempotency');
    await migrateBusSchema(database.pool);
    await database.pool.query('CREATE TABLE ledger (event_id text NOT NULL, amount int NOT NULL)');
    db = new Kysely<Ledger>({ dialect: new PostgresDialect({ pool: database.pool }) });
  });

  afterAll(async () => {
    await database?.drop();
  });

  const book = (eventId: string) => async (trx: Kysely<Ledger>) => {
    await trx.insertInto('ledger').values({ event_id: eventId, amount: 1 }).execute();
  };
  const bookings = async (eventId: string) =>
    (await db.selectFrom('ledger').selectAll().where('event_id', '=', eventId).execute()).length;

  it('applies an effect once per consumer and event id', async () => {
    const eventId = randomUUID();
    expect(await runIdempotentEffect(db, 'billing', eventId, book(eventId))).toBe('applied');
    expect(await runIdempotentEffect(db, 'billing', eventId, book(eventId))).toBe('duplicate');
    expect(await runIdempotentEffect(db, 'push', eventId, book(eventId))).toBe('applied');
    expect(await bookings(eventId)).toBe(2);
  });

  it('rolls the marker back with a failed effect, so the next delivery applies it', async () => {
    const eventId = randomUUID();
    const failing = runIdempotentEffect(db, 'billing', eventId, async (trx) => {
      await book(eventId)(trx);
      throw new Error('billing system down');
    });
    await expect(failing).rejects.toThrow('billing system down');
    expect(await bookings(eventId)).toBe(0);
    expect(await runIdempotentEffect(db, 'billing', eventId, book(eventId))).toBe('applied');
    expect(await bookings(eventId)).toBe(1);
  });

  it('lets exactly one of two concurrent deliveries apply the effect', async () => {
    const eventId = randomUUID();
    const slowBook = async (trx: Kysely<Ledger>) => {
      await book(eventId)(trx);
      await new Promise((resolve) => setTimeout(resolve, 100));
    };
    const outcomes = await Promise.all([
      runIdempotentEffect(db, 'billing', eventId, slowBook),
      runIdempotentEffect(db, 'billing', eventId, slowBook),
    ]);
    expect(outcomes.sort()).toEqual(['applied', 'duplicate']);
    expect(await bookings(eventId)).toBe(1);
  });
});

describe('migrateBusSchema', () => {
  it('migrates each schema on its own and is safe to run again', async () => {
    const first = await createTestSchema('bus_schema_a');
    const second = await createTestSchema('bus_schema_b');
    try {
      await migrateBusSchema(first.pool);
      await migrateBusSchema(first.pool);
      // Another schema already holding the bus tables must not make this one skip its own.
      await migrateBusSchema(second.pool);
      for (const { pool, schema } of [first, second]) {
        const tables = await pool.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
          [schema],
        );
        expect(tables.rows.map((row) => row.table_name)).toEqual([
          'bus_migration',
          'bus_migration_lock',
          'bus_processed_event',
        ]);
      }
    } finally {
      await first.drop();
      await second.drop();
    }
  });
});
