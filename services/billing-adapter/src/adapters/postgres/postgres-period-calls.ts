import type pg from 'pg';
import { type StoredCallEvent } from '../../domain/cdr-event.js';
import { UNREAD_DATA_FIELDS } from './postgres-call-event-log.js';

type PeriodRow = [
  streamId: string,
  streamVersion: number,
  eventId: string,
  type: string,
  schemaVersion: number,
  tenant: string | null,
  data: unknown,
];

/**
 * Every event of every call whose first event occurred in [fromMs, toMs) (its `occurredAt`, the time
 * the fold dates a call by), grouped by call id, each call's in stream order. Reads the store's `events`
 * table in the pool's schema, without the data fields the fold never reads (SDP bodies).
 */
export async function readCallsStartedBetween(
  pool: pg.Pool,
  fromMs: number,
  toMs: number,
): Promise<Map<string, StoredCallEvent[]>> {
  const { rows } = await pool.query<PeriodRow>({
    text: `
      with period_calls as (
        select stream_id from events
        where stream_id like 'call-%' and stream_version = 1
          and case when data->>'occurredAt' ~ '^\\d{4}-\\d{2}-\\d{2}T'
                   then (data->>'occurredAt')::timestamptz end
              >= to_timestamp($1::double precision / 1000)
          and case when data->>'occurredAt' ~ '^\\d{4}-\\d{2}-\\d{2}T'
                   then (data->>'occurredAt')::timestamptz end
              < to_timestamp($2::double precision / 1000)
      )
      select stream_id, stream_version, event_id::text, type, schema_version, metadata->>'tenant',
             data - '{${UNREAD_DATA_FIELDS.join(',')}}'::text[]
      from events
      where stream_id in (select stream_id from period_calls)
      order by stream_id, stream_version`,
    values: [fromMs, toMs],
    rowMode: 'array',
  });
  const calls = new Map<string, StoredCallEvent[]>();
  for (const [streamId, streamVersion, eventId, type, schemaVersion, tenant, data] of rows) {
    const callId = streamId.slice('call-'.length);
    const events = calls.get(callId) ?? [];
    events.push({ eventId, streamId, streamVersion, type, schemaVersion, tenant: tenant ?? '', data });
    calls.set(callId, events);
  }
  return calls;
}
