import {
  type ColumnType,
  Kysely,
  type Migration,
  Migrator,
  PostgresDialect,
  type RawBuilder,
  sql,
} from 'kysely';
import type pg from 'pg';
import { BillingMigrationError } from '../../app/errors.js';

/** int8 columns: written as numbers, read back as decimal strings (pg's default for bigint). */
type Int8 = ColumnType<string, number, number>;
type NullableInt8 = ColumnType<string | null, number | null, number | null>;

/** One row per call attempt; docs/billing.md describes each column. */
export interface CdrTable {
  call_id: string;
  tenant: string;
  direction: string;
  user_id: string;
  line: number | null;
  client_call_id: string;
  sip_call_id: string;
  carrier_sip_call_id: string;
  caller_dialled: string;
  caller_e164: string;
  callee_dialled: string;
  callee_e164: string;
  janus_gateway_id: string;
  region: string;
  created_at_ms: Int8;
  ringing_at_ms: NullableInt8;
  answered_at_ms: NullableInt8;
  ended_at_ms: NullableInt8;
  duration_ms: Int8;
  talk_ms: Int8;
  billable_seconds: number;
  disposition: string | null;
  end_reason: string;
  sip_code: number;
  q850_cause: number;
  hung_up_by: string;
  last_stream_version: number;
}

export interface BillingDb {
  cdr: CdrTable;
}

export const CDR_TABLE = 'cdr';

/** The columns in table order: the migration, the rebuild's new table and its batch insert use this. */
export const CDR_COLUMNS: readonly { readonly name: keyof CdrTable; readonly type: string }[] = [
  { name: 'call_id', type: 'text not null' },
  { name: 'tenant', type: 'text not null' },
  { name: 'direction', type: "text not null check (direction in ('outgoing', 'incoming', ''))" },
  { name: 'user_id', type: 'text not null' },
  { name: 'line', type: 'integer' },
  { name: 'client_call_id', type: 'text not null' },
  { name: 'sip_call_id', type: 'text not null' },
  { name: 'carrier_sip_call_id', type: 'text not null' },
  { name: 'caller_dialled', type: 'text not null' },
  { name: 'caller_e164', type: 'text not null' },
  { name: 'callee_dialled', type: 'text not null' },
  { name: 'callee_e164', type: 'text not null' },
  { name: 'janus_gateway_id', type: 'text not null' },
  { name: 'region', type: 'text not null' },
  { name: 'created_at_ms', type: 'bigint not null' },
  { name: 'ringing_at_ms', type: 'bigint' },
  { name: 'answered_at_ms', type: 'bigint' },
  { name: 'ended_at_ms', type: 'bigint' },
  { name: 'duration_ms', type: 'bigint not null' },
  { name: 'talk_ms', type: 'bigint not null' },
  { name: 'billable_seconds', type: 'integer not null' },
  {
    name: 'disposition',
    type: "text check (disposition in ('answered', 'busy', 'no_answer', 'cancelled', 'failed', 'rejected'))",
  },
  { name: 'end_reason', type: 'text not null' },
  { name: 'sip_code', type: 'integer not null' },
  { name: 'q850_cause', type: 'integer not null' },
  { name: 'hung_up_by', type: "text not null check (hung_up_by in ('caller', 'callee', 'system', ''))" },
  { name: 'last_stream_version', type: 'integer not null check (last_stream_version > 0)' },
];

/**
 * The DDL of a CDR table named `table` without its keys and indexes (the rebuild adds them after the
 * load, which is much faster than keeping them up to date row by row). Column names are our constants.
 */
export function createCdrTableSql(schema: string, table: string): RawBuilder<unknown> {
  const columns = CDR_COLUMNS.map((column) => `${column.name} ${column.type}`).join(', ');
  return sql`create table ${sql.id(schema, table)} (${sql.raw(columns)})`;
}

/** The keys and indexes of a CDR table, named after `table`. */
export function cdrIndexesSql(schema: string, table: string): RawBuilder<unknown>[] {
  return [
    sql`alter table ${sql.id(schema, table)} add constraint ${sql.id(`${table}_pkey`)} primary key (call_id)`,
    sql`create index ${sql.id(`${table}_tenant_ended_idx`)} on ${sql.id(schema, table)} (tenant, ended_at_ms)`,
  ];
}

/** Migrations live in code, in order; never edit one that has shipped. The schema is the operator's. */
function migrationsFor(schema: string): Record<string, Migration> {
  return {
    '0001_cdr': {
      async up(db: Kysely<unknown>): Promise<void> {
        await createCdrTableSql(schema, CDR_TABLE).execute(db);
        for (const statement of cdrIndexesSql(schema, CDR_TABLE)) await statement.execute(db);
      },
    },
  };
}

/** A Kysely over the service's pool, its CDR tables in `schema`. Never destroy it: the pool is the frame's. */
export function billingDatabase(pool: pg.Pool, schema: string): Kysely<BillingDb> {
  return new Kysely<BillingDb>({ dialect: new PostgresDialect({ pool }) }).withSchema(schema);
}

/** `configured`, or the pool's current schema when none is configured. */
export async function resolveBillingSchema(pool: pg.Pool, configured: string | undefined): Promise<string> {
  if (configured !== undefined && configured !== '') return configured;
  const { rows } = await pool.query<{ schema: string | null }>('select current_schema() as schema');
  const schema = rows[0]?.schema;
  if (schema === null || schema === undefined || schema === '') {
    throw new BillingMigrationError(undefined, { cause: new Error('the pool has no current schema') });
  }
  return schema;
}

/**
 * Creates `schema` if needed and brings the billing tables in it up to date. Bookkeeping in
 * `billing_migration` of the same schema, so it never mixes with another package's migrations.
 */
export async function migrateBillingSchema(pool: pg.Pool, schema: string): Promise<void> {
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  } catch (cause) {
    throw new BillingMigrationError(undefined, { cause });
  }
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrationsFor(schema)) },
    migrationTableSchema: schema,
    migrationTableName: 'billing_migration',
    migrationLockTableName: 'billing_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new BillingMigrationError(failed, { cause: error });
  }
}
