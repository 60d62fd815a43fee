/**
 * The PostgreSQL event store.
 *
 * Global order without skipped events. A sequence number alone is not a safe reading order: transaction A
 * takes sequence 10, B takes 11 and commits first, a reader reads 11, and 10 appears later behind it and is
 * never read. So every row also records the id of the transaction that wrote it (`transaction_id`, xid8),
 * and the global order is (transaction_id, sequence) — `GlobalPosition`'s (commit group, sequence).
 * `readAll` returns only rows whose transaction id is below `pg_snapshot_xmin(pg_current_snapshot())`:
 * every transaction with a smaller id has finished (committed or rolled back), so no event can ever
 * appear before one already returned, and a reader that follows `after` sees each event exactly once.
 * Each append is one autocommit statement whose insert is its transaction's first write, so a stream's
 * later version always lands in a later commit group (see `appendStatement`).
 *
 * Caveat: the horizon is cluster-wide. A long-running write transaction anywhere on the server — this
 * store or not, any database — holds `readAll` back until it ends. It delays readers; it never makes them
 * skip. `readStream` is not held back.
 *
 * Optimistic concurrency is checked inside the insert statement (zero rows = the stream was not at an
 * accepted version, and the row still reports the actual one); concurrent appends that both pass the
 * check collide on the (stream_id, stream_version) primary key and exactly one wins. `any` and
 * `stream_exists` appends retry such a collision a few times, since the caller accepts any version.
 *
 * Wake-up: after an append commits, the store NOTIFYs the schema's channel in a separate statement (see
 * `signalAppendStatement` for why not inside the append), coalesced so at most one is in flight;
 * `listenForAppends` hears it.
 *
 * Speed: an append is one round trip (plus the coalesced notification, which it does not wait for); statements are prepared once per connection, and results bypass
 * pg's process-global type parsers (see `storeDatabase`).
 */
import type pg from 'pg';
import { checkedMaxEventBytes, toAppendRequest, type AppendRequest } from '../append-request.js';
import { DuplicateEventIdError, StreamNotFoundError, VersionConflictError } from '../errors.js';
import {
  type AppendResult,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
} from '../event-store.js';
import { globalPositionOfDecimals } from '../global-position.js';
import { toAllReadRequest, toStreamReadRequest } from '../read-request.js';
import { postgresErrorFields, toStoreError, UNIQUE_VIOLATION } from './postgres-errors.js';
import { coalescedAppendSignal } from './append-signal.js';
import {
  appendStatement,
  readAllStatement,
  signalAppendStatement,
  readStreamStatement,
  streamExistsStatement,
  streamVersionStatement,
  type AppendOutcomeRow,
  type EventRow,
  type EventStoreTables,
} from './statements.js';
import { storeDatabase } from './store-database.js';

export interface PostgresEventStoreOptions {
  /** The store's tables live in this pool's `search_path` schema; the pool stays the caller's to end. */
  readonly pool: pg.Pool;
  /** Largest data + metadata JSON of one event, in bytes; default 256 KiB. */
  readonly maxEventBytes?: number;
}

/** Collisions an `any` / `stream_exists` append absorbs before reporting a conflict. */
const MAX_APPEND_ATTEMPTS = 5;
const STREAM_KEY_CONSTRAINT = 'events_stream_version_pk';
const EVENT_ID_CONSTRAINT = 'events_event_id_key';

export function createPostgresEventStore(options: PostgresEventStoreOptions): EventStore {
  const maxEventBytes = checkedMaxEventBytes(options.maxEventBytes);
  const db = storeDatabase<EventStoreTables>(options.pool, { storeStatements: true });
  const inFlight = new Set<Promise<unknown>>();
  const appended = coalescedAppendSignal(() => signalAppendStatement().execute(db));

  function track<T>(operation: Promise<T>): Promise<T> {
    inFlight.add(operation);
    const forget = () => inFlight.delete(operation);
    operation.then(forget, forget);
    return operation;
  }

  async function append(request: AppendRequest): Promise<AppendResult> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { rows } = await appendStatement(request).execute(db);
        const versionBefore = rows[0]?.version_before;
        if (versionBefore === undefined) throw new Error('append statement returned no outcome row');
        const last = lastAppended(rows);
        if (last === undefined) {
          throw new VersionConflictError(request.streamId, String(request.expectedVersion), versionBefore);
        }
        appended.signal();
        return {
          nextExpectedVersion: versionBefore + rows.length,
          lastGlobalPosition: globalPositionOfDecimals(last.transactionId, last.sequence),
        };
      } catch (error) {
        const { code, constraint, detail } = postgresErrorFields(error);
        if (code !== UNIQUE_VIOLATION) throw toStoreError(error);
        if (constraint === EVENT_ID_CONSTRAINT) {
          throw new DuplicateEventIdError(duplicateEventId(detail, request), { cause: error });
        }
        if (constraint !== STREAM_KEY_CONSTRAINT) throw error;
        const acceptsAnyVersion = request.accepted.max > request.accepted.min;
        if (!acceptsAnyVersion || attempt >= MAX_APPEND_ATTEMPTS) {
          throw new VersionConflictError(
            request.streamId,
            String(request.expectedVersion),
            await currentVersion(request.streamId),
            { cause: error },
          );
        }
      }
    }
  }

  async function currentVersion(streamId: string): Promise<number> {
    try {
      const { rows } = await streamVersionStatement(streamId).execute(db);
      return rows[0]?.version ?? 0;
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async function readStream(
    streamId: string,
    readOptions?: ReadStreamOptions,
  ): Promise<readonly RecordedEvent[]> {
    const request = toStreamReadRequest(streamId, readOptions);
    try {
      const { rows } = await readStreamStatement(streamId, request).execute(db);
      if (rows.length > 0) return rows.map(toRecordedEvent);
      // Version 1 exists in every stream that exists: only a read from further on needs a second look.
      const exists =
        request.fromVersion > 1 &&
        (await streamExistsStatement(streamId).execute(db)).rows[0]?.exists === true;
      if (!exists) throw new StreamNotFoundError(streamId);
      return [];
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async function readAll(readOptions: ReadAllOptions): Promise<readonly RecordedEvent[]> {
    const request = toAllReadRequest(readOptions);
    try {
      const { rows } = await readAllStatement(request).execute(db);
      return rows.map(toRecordedEvent);
    } catch (error) {
      throw toStoreError(error);
    }
  }

  return {
    appendToStream(
      streamId: string,
      events: readonly NewEvent[],
      appendOptions: { readonly expectedVersion: ExpectedVersion },
    ): Promise<AppendResult> {
      try {
        return track(append(toAppendRequest(streamId, events, appendOptions, maxEventBytes)));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    readStream: (streamId, readOptions) => track(readStream(streamId, readOptions)),
    readAll: (readOptions) => track(readAll(readOptions)),
    /** Waits for operations in flight; the pool is the caller's and stays open. */
    async close(): Promise<void> {
      await Promise.allSettled([...inFlight]);
      await appended.settled();
    },
  };
}

/** The highest sequence among the inserted rows (row order is not guaranteed), or none when nothing was. */
function lastAppended(
  rows: readonly AppendOutcomeRow[],
): { transactionId: string; sequence: string } | undefined {
  let last: { transactionId: string; sequence: string } | undefined;
  for (const row of rows) {
    if (row.transaction_id === null || row.sequence === null) return undefined;
    if (last === undefined || BigInt(row.sequence) > BigInt(last.sequence)) {
      last = { transactionId: row.transaction_id, sequence: row.sequence };
    }
  }
  return last;
}

function duplicateEventId(detail: string | undefined, request: AppendRequest): string {
  // PostgreSQL's detail reads `Key (event_id)=(<uuid>) already exists.`
  const fromDetail = /\(event_id\)=\(([^)]+)\)/.exec(detail ?? '')?.[1];
  return fromDetail ?? (request.events[0]?.eventId as string);
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    data: JSON.parse(row.data) as RecordedEvent['data'],
    metadata: JSON.parse(row.metadata) as RecordedEvent['metadata'],
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    globalPosition: globalPositionOfDecimals(row.transaction_id, row.sequence),
  };
}
