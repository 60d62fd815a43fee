/** Reads the events `ringbus trace` shows: a call's stream, found by callId or by a carrier's Call-ID. */
import { callStreamId } from '@ringbus/call-domain';
import { createPostgresEventStore, type RecordedEvent, StreamNotFoundError } from '@ringbus/event-store';
import type pg from 'pg';
import { type TraceTarget } from './call-trace.js';
import { CliCallNotFoundError, CliUsageError } from './errors.js';

export interface TracedCall {
  readonly callId: string;
  readonly events: readonly RecordedEvent[];
}

/**
 * The carrier's Call-ID is only in `CallOffered` data, so it is a JSON query on the store's `events`
 * table (no index on it: a scan of the CallOffered rows; fine for an operator's one-off look-up).
 */
async function callIdsOfCarrierSipCallId(pool: pg.Pool, sipCallId: string): Promise<string[]> {
  const { rows } = await pool.query<{ call_id: string }>(
    `select data->>'callId' as call_id from events
     where type = 'CallOffered' and data->>'carrierSipCallId' = $1
     order by transaction_id, sequence`,
    [sipCallId],
  );
  return [...new Set(rows.map((row) => row.call_id))];
}

/** Throws `CliCallNotFoundError` when no call matches, `CliUsageError` when a carrier Call-ID names several. */
export async function findTracedCall(pool: pg.Pool, target: TraceTarget): Promise<TracedCall> {
  let callId: string;
  if (target.kind === 'call_id') callId = target.callId;
  else {
    const callIds = await callIdsOfCarrierSipCallId(pool, target.sipCallId);
    if (callIds.length > 1) {
      throw new CliUsageError(
        `carrier SIP Call-ID ${target.sipCallId} belongs to ${callIds.length} calls: ${callIds.join(', ')}; ` +
          'trace one of them by its callId',
      );
    }
    const only = callIds[0];
    if (only === undefined)
      throw new CliCallNotFoundError(target.given, 'no CallOffered has this carrier SIP Call-ID');
    callId = only;
  }
  const store = createPostgresEventStore({ pool });
  try {
    return { callId, events: await store.readStream(callStreamId(callId)) };
  } catch (error) {
    if (error instanceof StreamNotFoundError) {
      throw new CliCallNotFoundError(target.given, `stream ${callStreamId(callId)} has no events`);
    }
    throw error;
  } finally {
    await store.close();
  }
}
