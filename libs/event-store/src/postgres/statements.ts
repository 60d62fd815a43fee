import { sql, type RawBuilder } from 'kysely';
import { type AppendRequest, type SerialisedEvent } from '../append-request.js';
import { type AllReadRequest, type StreamReadRequest } from '../read-request.js';
import { parseGlobalPosition } from '../global-position.js';

/** The tables as queries see them (kysely's type for `Kysely<EventStoreTables>`). */
export interface EventStoreTables {
  events: {
    sequence: string;
    transaction_id: string;
    stream_id: string;
    stream_version: number;
    event_id: string;
    type: string;
    schema_version: number;
    data: unknown;
    metadata: unknown;
    recorded_at: Date;
  };
}

/**
 * The stream's version before the append, once per appended event — or once with nulls when the stream
 * was not at a version the append accepts and nothing was inserted.
 */
export interface AppendOutcomeRow {
  readonly version_before: number;
  /** xid8 and bigint arrive as decimal strings (see `storeDatabase`). */
  readonly transaction_id: string | null;
  readonly sequence: string | null;
}

/**
 * The NOTIFY channel of the store in the session's `current_schema()`: one per schema, so a listener only
 * hears appends to its own store. Hashed because a channel name is at most 63 bytes, like a schema name.
 */
export const APPEND_CHANNEL_SQL = "'ringbus_appended_' || md5(current_schema())";

/**
 * Tells listeners (`listenForAppends`) that events were appended; run after the append committed, never
 * inside it. PostgreSQL serialises the commits of every transaction that notified on a cluster-wide lock
 * held until its commit is flushed to disk, so a NOTIFY inside the append would queue concurrent appends
 * behind each other's fsync (measured: 8 writers fell from 1.9x to 1.1x the peer's throughput). On its
 * own, with an asynchronous commit, the lock is held for microseconds and no append waits for it. The
 * notification is a hint: losing it to a crash only delays the relay until its next poll.
 */
export function signalAppendStatement(): RawBuilder<Record<string, never>> {
  // The empty payload is a parameter so that the store prepares the statement once per connection.
  return sql<Record<string, never>>`
    select set_config('synchronous_commit', 'off', true), pg_notify(${sql.raw(APPEND_CHANNEL_SQL)}, ${''}::text)`;
}

/**
 * The whole append in one autocommit statement: read the stream's version, check it, insert every event
 * numbered after it. Two writers that pass the check at once both try to insert the same
 * (stream_id, stream_version) and the primary key lets only one commit; the other gets a unique
 * violation. It must be the first write of its transaction (autocommit makes it so): then the
 * transaction id is assigned after every event the check saw had committed, which keeps each stream's
 * versions in commit-group order.
 */
export function appendStatement(request: AppendRequest): RawBuilder<AppendOutcomeRow> {
  const { events } = request;
  if (events.length === 1) return appendOneStatement(request, events[0] as SerialisedEvent);
  return sql<AppendOutcomeRow>`
    with current_stream as (
      select coalesce(max(stream_version), 0) as version from events where stream_id = ${request.streamId}
    ), appended as (
      insert into events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
      select ${request.streamId}, current_stream.version + new_event.ordinal, new_event.event_id, new_event.type,
             new_event.schema_version, new_event.data, new_event.metadata
      from current_stream,
           unnest(${events.map((event) => event.eventId)}::uuid[], ${events.map((event) => event.type)}::text[],
                  ${events.map((event) => event.schemaVersion)}::integer[],
                  ${events.map((event) => event.dataJson)}::jsonb[],
                  ${events.map((event) => event.metadataJson)}::jsonb[])
             with ordinality as new_event(event_id, type, schema_version, data, metadata, ordinal)
      where current_stream.version between ${request.accepted.min} and ${request.accepted.max}
      order by new_event.ordinal
      returning transaction_id, sequence
    )
    select current_stream.version as version_before, appended.transaction_id, appended.sequence
    from current_stream left join appended on true`;
}

/** The same statement for the commonest append, one event, without building and unpacking arrays. */
function appendOneStatement(request: AppendRequest, event: SerialisedEvent): RawBuilder<AppendOutcomeRow> {
  return sql<AppendOutcomeRow>`
    with current_stream as (
      select coalesce(max(stream_version), 0) as version from events where stream_id = ${request.streamId}
    ), appended as (
      insert into events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
      select ${request.streamId}, current_stream.version + 1, ${event.eventId}::uuid, ${event.type}::text,
             ${event.schemaVersion}::integer, ${event.dataJson}::jsonb, ${event.metadataJson}::jsonb
      from current_stream
      where current_stream.version between ${request.accepted.min} and ${request.accepted.max}
      returning transaction_id, sequence
    )
    select current_stream.version as version_before, appended.transaction_id, appended.sequence
    from current_stream left join appended on true`;
}

export function streamVersionStatement(streamId: string): RawBuilder<{ version: number }> {
  return sql<{ version: number }>`
    select coalesce(max(stream_version), 0) as version from events where stream_id = ${streamId}`;
}

/**
 * A stored event as the read statements return it: int8, xid8, uuid and jsonb arrive as text (see
 * `storeDatabase`), and the store parses the JSON itself.
 */
export interface EventRow {
  readonly sequence: string;
  readonly transaction_id: string;
  readonly stream_id: string;
  readonly stream_version: number;
  readonly event_id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly data: string;
  readonly metadata: string;
}

const eventColumns = sql.raw(
  'sequence, transaction_id, stream_id, stream_version, event_id, type, schema_version, data, metadata',
);

export function readStreamStatement(streamId: string, request: StreamReadRequest): RawBuilder<EventRow> {
  return sql<EventRow>`
    select ${eventColumns}
    from events
    where stream_id = ${streamId} and stream_version >= ${request.fromVersion}
    order by stream_version
    limit ${request.maxCount ?? null}`;
}

export function streamExistsStatement(streamId: string): RawBuilder<{ exists: boolean }> {
  return sql<{ exists: boolean }>`select exists (select from events where stream_id = ${streamId}) as exists`;
}

/**
 * Events in (commit group, sequence) order, only from transactions older than the oldest one still
 * running anywhere in the cluster: no transaction can still add an event before the last one returned.
 */
export function readAllStatement(request: AllReadRequest): RawBuilder<EventRow> {
  const after = parseGlobalPosition(request.after);
  return sql<EventRow>`
    select ${eventColumns}
    from events
    where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      and (transaction_id, sequence) > (${after.commitGroup.toString()}::xid8, ${after.sequence.toString()}::bigint)
    order by transaction_id, sequence
    limit ${request.maxCount}`;
}
