import { RingbusError } from '@ringbus/errors';
import {
  type ColumnType,
  type Generated,
  Kysely,
  type Migration,
  Migrator,
  PostgresDialect,
  sql,
} from 'kysely';
import type pg from 'pg';

/** The signaling service's own tables (in the pool's `search_path` schema). */
export interface SignalingDb {
  signaling_session: {
    id: string;
    /** SHA-256 of the token, hex: a leaked table does not open sessions. */
    token_hash: string;
    user_id: string;
    tenant: string;
    created_at: Generated<Date>;
    expires_at: Date;
    revoked_at: Date | null;
  };
  signaling_subscriber: {
    tenant: string;
    user_id: string;
    lines: number;
    caller_number: string;
    updated_at: Generated<Date>;
  };
  signaling_live_call: {
    call_id: string;
    tenant: string;
    user_id: string;
    direction: 'outgoing' | 'incoming';
    line: number | null;
    client_call_id: string;
    confirmed: boolean;
    claimed_at: ColumnType<Date, Date | undefined, never>;
  };
}

const createSessions: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('signaling_session')
      .addColumn('id', 'uuid', (column) => column.primaryKey())
      .addColumn('token_hash', 'text', (column) => column.notNull().unique())
      .addColumn('user_id', 'text', (column) => column.notNull())
      .addColumn('tenant', 'text', (column) => column.notNull())
      .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
      .addColumn('expires_at', 'timestamptz', (column) => column.notNull())
      .addColumn('revoked_at', 'timestamptz')
      .execute();
    await db.schema
      .createIndex('signaling_session_user_idx')
      .on('signaling_session')
      .columns(['tenant', 'user_id'])
      .execute();
  },
};

const createSubscribers: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('signaling_subscriber')
      .addColumn('tenant', 'text', (column) => column.notNull())
      .addColumn('user_id', 'text', (column) => column.notNull())
      .addColumn('lines', 'integer', (column) => column.notNull().check(sql`lines between 0 and 64`))
      .addColumn('caller_number', 'text', (column) => column.notNull())
      .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('signaling_subscriber_pkey', ['tenant', 'user_id'])
      .execute();
  },
};

const createLiveCalls: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('signaling_live_call')
      .addColumn('call_id', 'text', (column) => column.primaryKey())
      .addColumn('tenant', 'text', (column) => column.notNull())
      .addColumn('user_id', 'text', (column) => column.notNull())
      .addColumn('direction', 'text', (column) =>
        column.notNull().check(sql`direction in ('outgoing', 'incoming')`),
      )
      .addColumn('line', 'integer')
      .addColumn('client_call_id', 'text', (column) => column.notNull())
      .addColumn('confirmed', 'boolean', (column) => column.notNull())
      .addColumn('claimed_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
      // One live call per client call id in a tenant (protocol.md §5: refused, never merged) ...
      .addUniqueConstraint('signaling_live_call_client_call_id_key', ['tenant', 'client_call_id'])
      .execute();
    // ... and one per line of a user. Calls without a line (missed) take none.
    await db.schema
      .createIndex('signaling_live_call_line_key')
      .unique()
      .on('signaling_live_call')
      .columns(['tenant', 'user_id', 'line'])
      .where(sql.ref('line'), 'is not', null)
      .execute();
    await db.schema
      .createIndex('signaling_live_call_user_idx')
      .on('signaling_live_call')
      .columns(['tenant', 'user_id'])
      .execute();
  },
};

const migrations: Record<string, Migration> = {
  '0001_signaling_session': createSessions,
  '0002_signaling_subscriber': createSubscribers,
  '0003_signaling_live_call': createLiveCalls,
};

export class SignalingMigrationError extends RingbusError<'SIGNALING_MIGRATION_FAILED'> {
  readonly code = 'SIGNALING_MIGRATION_FAILED';
  // A database that is still starting may accept the same migration a moment later.
  readonly retryable = true;
  constructor(migration: string | undefined, options?: { cause?: unknown }) {
    super(
      `signaling schema migration ${migration ?? '(before any migration)'} failed: check the database URL, its search_path and the cause`,
      options,
    );
  }
}

/** A Kysely over the service's pool. Never destroy it: that would end the pool the frame owns. */
export function signalingDatabase(pool: pg.Pool): Kysely<SignalingDb> {
  return new Kysely<SignalingDb>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Creates or upgrades the signaling tables in the pool's current schema. The bookkeeping tables are the
 * service's own (`signaling_migration`), so they never mix with another package's migrations.
 */
export async function migrateSignalingSchema(pool: pg.Pool): Promise<void> {
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  let schema: string;
  try {
    const result = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    schema = result.rows[0]?.schema ?? '';
  } catch (cause) {
    throw new SignalingMigrationError(undefined, { cause });
  }
  if (schema === '') throw new SignalingMigrationError(undefined, { cause: new Error('no current schema') });
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableSchema: schema,
    migrationTableName: 'signaling_migration',
    migrationLockTableName: 'signaling_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new SignalingMigrationError(failed, { cause: error });
  }
}
