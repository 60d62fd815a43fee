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
    /** What the app said at sign-in (POST /session): its kind, installation id and bundle id. */
    app_type: string | null;
    app_identifier: string | null;
    bundle_id: string | null;
    /** `PATCH /app/status {register}`: keep the SIP registration while the session has no socket. */
    keep_registration: Generated<boolean>;
  };
  signaling_subscriber: {
    tenant: string;
    user_id: string;
    lines: number;
    caller_number: string;
    updated_at: Generated<Date>;
    status: Generated<'active' | 'blocked'>;
    ext_number: string | null;
    additional_numbers: Generated<string[]>;
    email: string | null;
    first_name: string | null;
    last_name: string | null;
    alias_name: string | null;
    company_name: string | null;
    time_zone: string | null;
  };
  /** Password sign-in: one login per subscriber, the password as an scrypt hash with its own salt. */
  signaling_credential: {
    tenant: string;
    login: string;
    user_id: string;
    password_hash: string;
    updated_at: Generated<Date>;
  };
  /** Failed sign-ins per login, whether or not the login exists (so a lockout tells nothing). */
  signaling_signin_failure: {
    tenant: string;
    login: string;
    failures: number;
    first_failed_at: Date;
    locked_until: Date | null;
  };
  /** The built-in subscriber data's contacts: the entries of one user's contact list. */
  signaling_contact: {
    tenant: string;
    user_id: string;
    contact_id: string;
    first_name: string | null;
    last_name: string | null;
    email: string | null;
    company_name: string | null;
    alias_name: string | null;
    main_number: string | null;
    ext_number: string | null;
    additional_numbers: Generated<string[]>;
  };
  /** Which calls are a user's (GET /user/history pages this, then reads each call's stream). */
  signaling_user_call: {
    call_id: string;
    tenant: string;
    user_id: string;
    direction: 'outgoing' | 'incoming';
    started_at: Date;
    ended_at: Date | null;
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

const createClientApiTables: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('signaling_session')
      .addColumn('app_type', 'text')
      .addColumn('app_identifier', 'text')
      .addColumn('bundle_id', 'text')
      .addColumn('keep_registration', 'boolean', (column) => column.notNull().defaultTo(false))
      .execute();
    await db.schema
      .alterTable('signaling_subscriber')
      .addColumn('status', 'text', (column) =>
        column
          .notNull()
          .defaultTo('active')
          .check(sql`status in ('active', 'blocked')`),
      )
      .addColumn('ext_number', 'text')
      .addColumn('additional_numbers', sql`text[]`, (column) => column.notNull().defaultTo(sql`'{}'`))
      .addColumn('email', 'text')
      .addColumn('first_name', 'text')
      .addColumn('last_name', 'text')
      .addColumn('alias_name', 'text')
      .addColumn('company_name', 'text')
      .addColumn('time_zone', 'text')
      .execute();
    await db.schema
      .createTable('signaling_credential')
      .addColumn('tenant', 'text', (column) => column.notNull())
      .addColumn('login', 'text', (column) => column.notNull())
      .addColumn('user_id', 'text', (column) => column.notNull())
      .addColumn('password_hash', 'text', (column) => column.notNull())
      .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('signaling_credential_pkey', ['tenant', 'login'])
      .execute();
    await db.schema
      .createTable('signaling_signin_failure')
      .addColumn('tenant', 'text', (column) => column.notNull())
      .addColumn('login', 'text', (column) => column.notNull())
      .addColumn('failures', 'integer', (column) => column.notNull())
      .addColumn('first_failed_at', 'timestamptz', (column) => column.notNull())
      .addColumn('locked_until', 'timestamptz')
      .addPrimaryKeyConstraint('signaling_signin_failure_pkey', ['tenant', 'login'])
      .execute();
    await db.schema
      .createTable('signaling_contact')
      .addColumn('tenant', 'text', (column) => column.notNull())
      .addColumn('user_id', 'text', (column) => column.notNull())
      .addColumn('contact_id', 'text', (column) => column.notNull())
      .addColumn('first_name', 'text')
      .addColumn('last_name', 'text')
      .addColumn('email', 'text')
      .addColumn('company_name', 'text')
      .addColumn('alias_name', 'text')
      .addColumn('main_number', 'text')
      .addColumn('ext_number', 'text')
      .addColumn('additional_numbers', sql`text[]`, (column) => column.notNull().defaultTo(sql`'{}'`))
      .addPrimaryKeyConstraint('signaling_contact_pkey', ['tenant', 'user_id', 'contact_id'])
      .execute();
    await db.schema
      .createTable('signaling_user_call')
      .addColumn('call_id', 'text', (column) => column.primaryKey())
      .addColumn('tenant', 'text', (column) => column.notNull())
      .addColumn('user_id', 'text', (column) => column.notNull())
      .addColumn('direction', 'text', (column) =>
        column.notNull().check(sql`direction in ('outgoing', 'incoming')`),
      )
      .addColumn('started_at', 'timestamptz', (column) => column.notNull())
      .addColumn('ended_at', 'timestamptz')
      .execute();
    await db.schema
      .createIndex('signaling_user_call_history_idx')
      .on('signaling_user_call')
      .columns(['tenant', 'user_id', 'started_at desc'])
      .execute();
  },
};

const migrations: Record<string, Migration> = {
  '0001_signaling_session': createSessions,
  '0002_signaling_subscriber': createSubscribers,
  '0003_signaling_live_call': createLiveCalls,
  '0004_signaling_client_api': createClientApiTables,
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
