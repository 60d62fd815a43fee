import { Kysely, PostgresDialect } from 'kysely';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CdrRebuildError } from '../../app/errors.js';
import { type CdrRebuildTarget } from '../../app/ports.js';
import { type CallDetailRecord } from '../../domain/call-detail-record.js';
import { CDR_TABLE, cdrIndexesSql, createCdrTableSql } from './billing-schema.js';
import { CDR_COPY_COLUMNS, cdrCopyText } from './cdr-copy-text.js';

const REBUILD_TABLE = 'cdr_rebuild';
/** Rows per insert statement inside the swap (the catch-up), bounded like the rebuild's own batches. */
const SWAP_INSERT_ROWS = 10_000;

/**
 * The new CDR table of a rebuild, `cdr_rebuild` beside `cdr` in the billing schema, filled over one
 * dedicated connection that holds an advisory lock for the whole rebuild (one rebuild per schema at a
 * time). Rows go in with COPY (text format), the cheapest load PostgreSQL has: measured on 100,000
 * CDRs, 0.26 s against 1.2 s for the same rows as one JSON parameter (`json_populate_recordset`). Keys
 * and indexes are built after the load; the swap drops `cdr` and renames the new table in one
 * transaction.
 */
export class PostgresCdrRebuildTarget implements CdrRebuildTarget {
  private finished = false;

  private constructor(
    private readonly client: pg.PoolClient,
    private readonly schema: string,
  ) {}

  static async start(pool: pg.Pool, schema: string): Promise<PostgresCdrRebuildTarget> {
    const client = await pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        'select pg_try_advisory_lock(hashtext($1)) as locked',
        [`ringbus.cdr-rebuild.${schema}`],
      );
      if (rows[0]?.locked !== true) throw new CdrRebuildError(`another CDR rebuild runs in schema ${schema}`);
      const target = new PostgresCdrRebuildTarget(client, schema);
      await client.query(`drop table if exists ${target.table()}`);
      await target.run(createCdrTableSql(schema, REBUILD_TABLE));
      return target;
    } catch (error) {
      client.release(true);
      throw error;
    }
  }

  async write(rows: readonly CallDetailRecord[]): Promise<void> {
    if (rows.length === 0) return;
    const copy = this.client.query(
      copyFrom(`copy ${this.table()} (${CDR_COPY_COLUMNS.join(', ')}) from stdin`),
    );
    await pipeline(Readable.from([cdrCopyText(rows)]), copy);
  }

  async swap(catchUp: () => Promise<readonly CallDetailRecord[]>): Promise<void> {
    for (const statement of cdrIndexesSql(this.schema, REBUILD_TABLE)) await this.run(statement);
    await this.client.query(`analyze ${this.table()}`);
    const live = `${quote(this.schema)}.${quote(CDR_TABLE)}`;
    await this.client.query('begin');
    try {
      // Holds the live projection (and readers) back while the last events are folded in.
      await this.client.query(`lock table ${live} in access exclusive mode`);
      const rows = await catchUp();
      for (let from = 0; from < rows.length; from += SWAP_INSERT_ROWS) {
        await this.write(rows.slice(from, from + SWAP_INSERT_ROWS));
      }
      await this.client.query(`drop table ${live}`);
      await this.client.query(`alter table ${this.table()} rename to ${quote(CDR_TABLE)}`);
      for (const suffix of ['pkey', 'tenant_ended_idx']) {
        await this.client.query(
          `alter index ${quote(this.schema)}.${quote(`${REBUILD_TABLE}_${suffix}`)} rename to ${quote(`${CDR_TABLE}_${suffix}`)}`,
        );
      }
      await this.client.query('commit');
    } catch (error) {
      await this.client.query('rollback').catch(() => undefined);
      throw error;
    }
    await this.finish(false);
  }

  async abandon(): Promise<void> {
    if (this.finished) return;
    await this.client.query(`drop table if exists ${this.table()}`).catch(() => undefined);
    await this.finish(true);
  }

  private async finish(discardConnection: boolean): Promise<void> {
    this.finished = true;
    await this.client
      .query('select pg_advisory_unlock(hashtext($1))', [`ringbus.cdr-rebuild.${this.schema}`])
      .catch(() => undefined);
    this.client.release(discardConnection);
  }

  private table(): string {
    return `${quote(this.schema)}.${quote(REBUILD_TABLE)}`;
  }

  /** Runs a kysely-built statement on this target's own connection. */
  private async run(statement: {
    compile(db: Kysely<unknown>): { sql: string; parameters: readonly unknown[] };
  }): Promise<void> {
    const compiled = statement.compile(compiler);
    await this.client.query(compiled.sql, [...compiled.parameters]);
  }
}

// Compiles statements only; it never connects.
const compiler = new Kysely<unknown>({
  dialect: new PostgresDialect({ pool: async () => Promise.reject(new Error('compile only')) }),
});

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
