import { createCallCommandHandler, type CallCommandHandler } from '@ringbus/call-commands';
import { callStreamId } from '@ringbus/call-domain';
import { type EventStore, type NewEvent, type RecordedEvent } from '@ringbus/event-store';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { type CallStep, commandOf, storedEventsOf, T0 } from './call-scenarios.js';

/** Drives a call through the real append path: decide, then append with the expected version. */
export async function placeCall(
  commands: CallCommandHandler,
  callId: string,
  steps: readonly CallStep[],
  options: { readonly tenant?: string; readonly startMs?: number; readonly firstStep?: number } = {},
): Promise<void> {
  for (const [index, callStep] of steps.entries()) {
    const command = commandOf(callId, (options.firstStep ?? 0) + index, callStep, options.startMs ?? T0);
    await commands(command, { tenant: options.tenant ?? 'acme', traceparent: '' });
  }
}

export function commandHandler(store: EventStore): CallCommandHandler {
  return createCallCommandHandler({ store, newEventId: uuidv7 });
}

export async function callEvents(store: EventStore, callId: string): Promise<readonly RecordedEvent[]> {
  return store.readStream(callStreamId(callId));
}

/** Every CDR row as PostgreSQL prints it, in call id order: what "byte for byte" compares. */
export async function cdrTableText(pool: pg.Pool, schema: string, table = 'cdr'): Promise<string[]> {
  const { rows } = await pool.query<{ line: string }>(
    `select t::text as line from "${schema}"."${table}" t order by call_id`,
  );
  return rows.map((row) => row.line);
}

export async function cdrRow(
  pool: pg.Pool,
  schema: string,
  callId: string,
): Promise<Record<string, unknown> | undefined> {
  const { rows } = await pool.query(`select * from "${schema}".cdr where call_id = $1`, [callId]);
  return rows[0] as Record<string, unknown> | undefined;
}

export const newCallId = (): string => uuidv7();

/** The events of `steps` as the store takes them, for appending a whole call at once. */
export function newEventsOf(callId: string, steps: readonly CallStep[], tenant = 'acme'): NewEvent[] {
  return storedEventsOf(callId, steps, tenant).map((event) => ({
    eventId: uuidv7(),
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data as Record<string, unknown>,
    metadata: {
      occurredAt: timestampMsOf(event.data),
      causationId: `${callId}-${event.streamVersion}`,
      correlationId: `call-${callId}`,
      tenant,
      traceparent: '',
    },
  }));
}

function timestampMsOf(data: unknown): string {
  return String((data as { occurredAt: string }).occurredAt);
}

/** Runs `work` over `items` with `concurrency` in flight. */
export async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}
