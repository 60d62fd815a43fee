import { type Generated, Kysely, type Migration, Migrator, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { type BusSchema, migrateBusSchema } from '@ringbus/bus';
import { MediaOrchestrationError } from '../../domain/errors.js';

export const LIVE_CALL_CLAIM_TABLE = 'media_live_call_claim';
export const SIP_REGISTRATION_LEASE_TABLE = 'media_sip_registration_lease';

export interface MediaSchema extends BusSchema {
  media_live_call_claim: {
    call_id: string;
    instance_id: string;
    gateway_id: string;
    sip_call_id: string;
    tenant: string;
    traceparent: string;
    correlation_id: string;
    claimed_at: Generated<Date>;
  };
  media_sip_registration_lease: {
    account_id: string;
    instance_id: string;
    expires_at: Date;
  };
}

const migrations: Record<string, Migration> = {
  '0001_live_call_claim': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable(LIVE_CALL_CLAIM_TABLE)
        .addColumn('call_id', 'text', (column) => column.primaryKey())
        .addColumn('instance_id', 'text', (column) => column.notNull())
        .addColumn('gateway_id', 'text', (column) => column.notNull())
        .addColumn('sip_call_id', 'text', (column) => column.notNull())
        .addColumn('tenant', 'text', (column) => column.notNull())
        .addColumn('traceparent', 'text', (column) => column.notNull())
        .addColumn('correlation_id', 'text', (column) => column.notNull())
        .addColumn('claimed_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createIndex(`${LIVE_CALL_CLAIM_TABLE}_instance`)
        .on(LIVE_CALL_CLAIM_TABLE)
        .column('instance_id')
        .execute();
    },
  },
  '0002_sip_registration_lease': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable(SIP_REGISTRATION_LEASE_TABLE)
        .addColumn('account_id', 'text', (column) => column.primaryKey())
        .addColumn('instance_id', 'text', (column) => column.notNull())
        .addColumn('expires_at', 'timestamptz', (column) => column.notNull())
        .execute();
    },
  },
};

export class MediaSchemaMigrationError extends MediaOrchestrationError {
  readonly code = 'MEDIA_SCHEMA_MIGRATION_FAILED';
  // A failed migration needs a person: permissions, or a hand-edited table.
  readonly retryable = false;

  constructor(migration: string | undefined, options?: { cause?: unknown }) {
    super(
      `migrating media-orchestration's tables failed${migration === undefined ? '' : ` at ${migration}`}; ` +
        'check that DATABASE_URL may create tables in its schema',
      options,
    );
  }
}

/**
 * Creates or upgrades the service's tables (and the bus's idempotency markers) in the pool's current
 * schema. Bookkeeping is in tables of its own, so it never collides with another package's migrations.
 */
export async function migrateMediaSchema(pool: pg.Pool): Promise<void> {
  await migrateBusSchema(pool);
  // Not destroyed afterwards: destroying a Kysely ends the caller's pool.
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  let schema: string;
  try {
    const result = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    const current = result.rows[0]?.schema;
    if (current === undefined || current === null) throw new Error('the connection has no current schema');
    schema = current;
  } catch (cause) {
    throw new MediaSchemaMigrationError(undefined, { cause });
  }
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableSchema: schema,
    migrationTableName: 'media_orchestration_migration',
    migrationLockTableName: 'media_orchestration_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new MediaSchemaMigrationError(failed, { cause: error });
  }
}
