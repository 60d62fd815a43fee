import { GLOBAL_POSITION_START, globalPositionOf, parseGlobalPosition } from '@ringbus/event-store';
import type pg from 'pg';
import { type CallEventLog, type CallEventPage, type LogPosition } from '../../app/ports.js';
import { type StoredCallEvent } from '../../domain/cdr-event.js';

/**
 * Data fields the CDR fold never reads, SDP bodies above all (most of a call's bytes): left in the
 * database, so a rebuild moves a fraction of the log. A field listed here must not be read by
 * `foldCdrEvent`; a unit test folds calls with and without them.
 */
export const UNREAD_DATA_FIELDS = [
  'callId',
  'sdpOffer',
  'sdpAnswer',
  'sdp',
  'callerDisplayName',
  'reasonText',
  'digits',
  'target',
  'replaceCallId',
  'mediaDirection',
] as const;

/**
 * A row as an array, in select order (no object per row). The commit group and sequence come as text
 * under names that differ from the columns, so `order by` sorts by the columns, not by their text.
 */
type LogRow = [
  commitGroup: string,
  sequence: string,
  streamId: string,
  streamVersion: number,
  eventId: string,
  type: string,
  schemaVersion: number,
  tenant: string | null,
  data: unknown,
];

/**
 * The PostgreSQL event store's log as the CDR rebuild reads it: the same global order and the same
 * horizon as the store's own `readAll` (only transactions older than every running one, ordered by
 * transaction id and sequence, so nothing can appear behind a page already read), but only the columns
 * and data fields a CDR needs, and only call streams' data.
 *
 * It reads the store's `events` table directly, in the pool's schema: `@ringbus/event-store` has no
 * read of selected fields yet (see docs/billing.md, "Rebuild"); `eventStoreCallEventLog` is the
 * backend-neutral reader through the port.
 */
export function postgresCallEventLog(pool: pg.Pool): CallEventLog {
  const dataExpression = `case when stream_id like 'call-%' then data - '{${UNREAD_DATA_FIELDS.join(',')}}'::text[] end`;
  const text = `
    select transaction_id::text as commit_group, sequence::text as position, stream_id, stream_version,
           event_id::text as event_id, type, schema_version, metadata->>'tenant' as tenant,
           ${dataExpression} as data
    from events
    where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      and (transaction_id, sequence) > ($1::text::xid8, $2::bigint)
    order by events.transaction_id, events.sequence
    limit $3`;
  return {
    start: GLOBAL_POSITION_START,
    async readPage(after: LogPosition, maxCount: number): Promise<CallEventPage> {
      const from = parseGlobalPosition(after);
      const { rows } = await pool.query<LogRow>({
        name: 'billing-cdr-log-page',
        text,
        values: [from.commitGroup.toString(), from.sequence.toString(), maxCount],
        rowMode: 'array',
      });
      const last = rows[rows.length - 1];
      if (last === undefined) return { events: [], next: after, read: 0 };
      const events: StoredCallEvent[] = [];
      for (const [, , streamId, streamVersion, eventId, type, schemaVersion, tenant, data] of rows) {
        if (data === null) continue;
        events.push({ eventId, streamId, streamVersion, type, schemaVersion, tenant: tenant ?? '', data });
      }
      return { events, next: globalPositionOf(BigInt(last[0]), BigInt(last[1])), read: rows.length };
    },
  };
}
