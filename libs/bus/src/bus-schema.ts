import { type Generated, Kysely, type Migration, Migrator, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { BusSchemaMigrationError } from './errors.js';

export const PROCESSED_EVENT_TABLE = 'bus_processed_event';

/** The bus's own tables, for typing queries against them. */
export interface BusSchema {
  bus_processed_event: {
    consumer: string;
    event_id: string;
    processed_at: Generated<Date>;
  };
}

// In code, not files: the bus ships as one package and its schema must travel with it.
const migrations: Record<string, Migration> = {
  '0001_processed_event': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable(PROCESSED_EVENT_TABLE)
        .addColumn('consumer', 'text', (column) => column.notNull())
        // text, not uuid: a marker must never be the reason an effect fails.
        .addColumn('event_id', 'text', (column) => column.notNull())
        .addColumn('processed_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('bus_processed_event_pkey', ['consumer', 'event_id'])
        .execute();
    },
  },
};

/**
 * Creates or upgrades the bus's tables in the pool's current schema (its `search_path`). Its migration
 * bookkeeping lives in its own tables, so it never collides with another package's migrations.
 */
export async function migrateBusSchema(pool: pg.Pool): Promise<void> {
  // Not destroyed afterwards: destroying a Kysely ends the caller's pool.
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  let schema: string;
  try {
    const result = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    const current = result.rows[0]?.schema;
    if (current === undefined || current === null) throw new Error('the connection has no current schema');
    schema = current;
  } catch (cause) {
    throw new BusSchemaMigrationError(undefined, { cause });
  }
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    // Kysely finds its bookkeeping tables by name across all schemas unless told which schema is ours.
    migrationTableSchema: schema,
    migrationTableName: 'bus_migration',
    migrationLockTableName: 'bus_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new BusSchemaMigrationError(failed, { cause: error });
  }
}
