import { createHash } from 'node:crypto';
import {
  Kysely,
  PostgresDialect,
  type PostgresCursor,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
} from 'kysely';
import type pg from 'pg';

export interface StoreDatabaseOptions {
  /**
   * Run the store's statements the fast way: each parameterised statement as a named prepared statement
   * (PostgreSQL parses and plans it once per connection, not once per call), and every result column
   * through the store's own type parsers. pg's parsers are process-global and other libraries replace
   * them (Emmett's dumbo makes int8 a BigInt and parses JSON with a slow reviver); casting columns to
   * text in SQL instead would cost the server more than the whole read. Prepared statements need a
   * direct connection or a pooler that keeps them (PgBouncer >= 1.21 with max_prepared_statements).
   */
  readonly storeStatements: boolean;
}

/** Connections that already carry the error listener, whichever store instance borrowed them first. */
const guarded = new WeakSet<pg.PoolClient>();

/**
 * A Kysely instance over the caller's pool that the store may drop without ending the pool.
 *
 * It also listens for `error` on every connection it checks out: a connection that dies mid-query (a
 * restart, `pg_terminate_backend`) rejects the running query — which the store reports as
 * `StoreUnavailableError` — and then emits `error` as well, which would crash the process while no one
 * listens (pg's pool only listens on idle connections).
 */
export function storeDatabase<Tables>(pool: pg.Pool, options: StoreDatabaseOptions): Kysely<Tables> {
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const borrowedPool: PostgresPool = {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      if (!guarded.has(client)) {
        guarded.add(client);
        client.on('error', ignoreReportedFailure);
      }
      if (!options.storeStatements) return client;
      let wrapped = wrappers.get(client);
      if (wrapped === undefined) {
        wrapped = storeStatementClient(client);
        wrappers.set(client, wrapped);
      }
      return wrapped;
    },
    async end(): Promise<void> {
      // The pool is the caller's to end.
    },
  };
  return new Kysely<Tables>({ dialect: new PostgresDialect({ pool: borrowedPool }) });
}

const INT4_OID = 23;
const BOOL_OID = 16;

/**
 * Text for every column but int4 and bool: int8 and xid8 stay exact decimal strings, uuid stays a string,
 * and JSON is parsed by the store itself.
 */
const storeTypeParsers = {
  getTypeParser(oid: number): (value: string) => unknown {
    if (oid === INT4_OID) return (value) => Number.parseInt(value, 10);
    if (oid === BOOL_OID) return (value) => value === 't';
    return (value) => value;
  },
};

/** Statement names by SQL text; the store's statements are a handful of fixed templates. */
const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `ringbus_es_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

function storeStatementClient(client: pg.PoolClient): PostgresPoolClient {
  function query<R>(sqlOrCursor: string | PostgresCursor<R>, parameters?: ReadonlyArray<unknown>) {
    if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor as never) as PostgresCursor<R>;
    const values = [...(parameters ?? [])];
    const config: pg.QueryConfig & { types: typeof storeTypeParsers } = {
      text: sqlOrCursor,
      values,
      types: storeTypeParsers,
      // Statements without parameters (BEGIN, COMMIT) gain nothing from preparing.
      ...(values.length > 0 ? { name: statementName(sqlOrCursor) } : {}),
    };
    return client.query(config) as unknown as Promise<PostgresQueryResult<R>>;
  }
  return {
    query: query as PostgresPoolClient['query'],
    release: (destroy?: boolean) => client.release(destroy),
  };
}

function ignoreReportedFailure(): void {
  // Already reported through the rejected query; see storeDatabase.
}
