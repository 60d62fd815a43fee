import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type pg from 'pg';
import { EventStoreMigrationError, StoreUnavailableError } from '../errors.js';
import { toStoreError } from './postgres-errors.js';
import { storeDatabase } from './store-database.js';

/**
 * The store's own migration bookkeeping tables, so they never mix with those of another component that
 * shares the schema.
 */
const MIGRATION_TABLE = 'event_store_migration';
const MIGRATION_LOCK_TABLE = 'event_store_migration_lock';

const createEvents: Migration = {
  async up(db) {
    await db.schema
      .createTable('events')
      // Order of insertion among rows of one transaction; across transactions it says nothing (see adapter).
      .addColumn('sequence', 'bigint', (column) => column.notNull().generatedAlwaysAsIdentity())
      // The commit group: readers only read groups older than every running transaction.
      .addColumn('transaction_id', sql`xid8`, (column) =>
        column.notNull().defaultTo(sql`pg_current_xact_id()`),
      )
      .addColumn('stream_id', 'text', (column) => column.notNull())
      .addColumn('stream_version', 'integer', (column) => column.notNull())
      .addColumn('event_id', 'uuid', (column) => column.notNull())
      .addColumn('type', 'text', (column) => column.notNull())
      .addColumn('schema_version', 'integer', (column) => column.notNull())
      .addColumn('data', 'jsonb', (column) => column.notNull())
      .addColumn('metadata', 'jsonb', (column) => column.notNull())
      .addColumn('recorded_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('events_stream_version_pk', ['stream_id', 'stream_version'])
      .addUniqueConstraint('events_event_id_key', ['event_id'])
      .execute();
    await db.schema
      .createIndex('events_global_order_idx')
      .on('events')
      .columns(['transaction_id', 'sequence'])
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('events').execute();
  },
};

/** Migrations live in code, listed here in order; never rename or edit one that has shipped. */
export const eventStoreMigrations: MigrationProvider = {
  async getMigrations() {
    return { '0001_create_events': createEvents };
  },
};

/**
 * Brings the store's tables in the pool's `search_path` schema up to date. Safe to run from several
 * processes at once (kysely serialises migrations with an advisory lock).
 */
export async function migratePostgresEventStore(pool: pg.Pool): Promise<void> {
  const db = storeDatabase<unknown>(pool, { storeStatements: false });
  let schema: string;
  try {
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    schema = rows[0]?.schema ?? '';
  } catch (error) {
    throw toStoreError(error);
  }
  if (schema === '') {
    throw new EventStoreMigrationError(
      'the pool has no current schema: set its search_path to an existing schema',
    );
  }
  // Naming the schema keeps kysely from finding another schema's bookkeeping table and skipping ours.
  const migrator = new Migrator({
    db,
    provider: eventStoreMigrations,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return;
  const storeError = toStoreError(error);
  if (storeError instanceof StoreUnavailableError) throw storeError;
  const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? '(set-up)';
  throw new EventStoreMigrationError(`event store migration ${failed} failed in schema ${schema}`, {
    cause: error,
  });
}
