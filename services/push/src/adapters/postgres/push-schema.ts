import { type Generated, Kysely, type Migration, Migrator, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { PushMigrationError } from '../../app/errors.js';

export interface PushTokenTable {
  tenant: string;
  user_id: string;
  kind: string;
  token: string;
  app_id: string;
  created_at: Generated<Date>;
}

export interface PushDeliveryTable {
  event_id: string;
  kind: string;
  token: string;
  tenant: string;
  user_id: string;
  app_id: string;
  call_id: string;
  /** `sending` (claimed), then `sent`, `failed` or `token_invalid`. */
  state: string;
  detail: string;
  claimed_at: Generated<Date>;
  settled_at: Date | null;
}

export interface PushDb {
  push_token: PushTokenTable;
  push_delivery: PushDeliveryTable;
}

/** Migrations live in code, in order; never edit one that has shipped. */
function migrationsFor(schema: string): Record<string, Migration> {
  return {
    '0001_push_token_and_delivery': {
      async up(db: Kysely<unknown>): Promise<void> {
        await sql`
          create table ${sql.id(schema, 'push_token')} (
            tenant text not null,
            user_id text not null,
            kind text not null check (kind in ('fcm', 'apns', 'apns_voip')),
            token text not null,
            app_id text not null default '',
            created_at timestamptz not null default now(),
            constraint push_token_pkey primary key (tenant, user_id, kind, token)
          )`.execute(db);
        // Removing a token the provider reported dead goes by (tenant, kind, token).
        await sql`create index push_token_token_idx on ${sql.id(schema, 'push_token')} (tenant, kind, token)`.execute(
          db,
        );
        await sql`
          create table ${sql.id(schema, 'push_delivery')} (
            event_id text not null,
            kind text not null,
            token text not null,
            tenant text not null,
            user_id text not null,
            app_id text not null,
            call_id text not null,
            state text not null check (state in ('sending', 'sent', 'failed', 'token_invalid')),
            detail text not null default '',
            claimed_at timestamptz not null default now(),
            settled_at timestamptz,
            constraint push_delivery_pkey primary key (event_id, kind, token)
          )`.execute(db);
        await sql`create index push_delivery_claimed_idx on ${sql.id(schema, 'push_delivery')} (claimed_at)`.execute(
          db,
        );
      },
    },
  };
}

/** A Kysely over the service's pool with the push tables in `schema`. Never destroy it: the pool is the frame's. */
export function pushDatabase(pool: pg.Pool, schema: string): Kysely<PushDb> {
  return new Kysely<PushDb>({ dialect: new PostgresDialect({ pool }) }).withSchema(schema);
}

/** `configured`, or the pool's current schema when none is configured. */
export async function resolvePushSchema(pool: pg.Pool, configured: string | undefined): Promise<string> {
  if (configured !== undefined && configured !== '') return configured;
  const { rows } = await pool.query<{ schema: string | null }>('select current_schema() as schema');
  const schema = rows[0]?.schema;
  if (schema === null || schema === undefined || schema === '') {
    throw new PushMigrationError(undefined, { cause: new Error('the pool has no current schema') });
  }
  return schema;
}

/** Creates `schema` if needed and brings the push tables up to date (bookkeeping in `push_migration`). */
export async function migratePushSchema(pool: pg.Pool, schema: string): Promise<void> {
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  } catch (cause) {
    throw new PushMigrationError(undefined, { cause });
  }
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrationsFor(schema)) },
    migrationTableSchema: schema,
    migrationTableName: 'push_migration',
    migrationLockTableName: 'push_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new PushMigrationError(failed, { cause: error });
  }
}
