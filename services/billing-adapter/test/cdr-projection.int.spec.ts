/**
 * The CDR projection against the real PostgreSQL: calls driven through the call command handler (decide
 * + append), folded event by event as the durable consumer delivers them, and rebuilt from the store.
 */
import {
  createPostgresEventStore,
  GLOBAL_POSITION_START,
  migratePostgresEventStore,
  type EventStore,
} from '@ringbus/event-store';
import { createTestSchema, type TestSchema } from '@ringbus/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventStoreCallEventLog,
  eventStoreCallStreams,
  storedCallEventOf,
} from '../src/adapters/event-store/event-store-call-events.js';
import { billingDatabase, migrateBillingSchema } from '../src/adapters/postgres/billing-schema.js';
import { postgresCallEventLog } from '../src/adapters/postgres/postgres-call-event-log.js';
import { PostgresCdrRebuildTarget } from '../src/adapters/postgres/postgres-cdr-rebuild-target.js';
import { PostgresCdrStore } from '../src/adapters/postgres/postgres-cdr-store.js';
import { CdrProjection } from '../src/app/cdr-projection.js';
import { rebuildCdrProjection } from '../src/app/cdr-rebuild.js';
import { replayCdrProjection } from '../src/replay.js';
import {
  callEvents,
  cdrRow,
  cdrTableText,
  commandHandler,
  newCallId,
  placeCall,
} from './support/billing-fixture.js';
import { SCENARIOS, scenario, storedEventsOf } from './support/call-scenarios.js';

const plan = { defaultCountryCode: '49' };
let schema: TestSchema;
let cdrSchema: string;
let store: EventStore;
const warnings: Record<string, unknown>[] = [];
let projection: CdrProjection;

beforeAll(async () => {
  schema = await createTestSchema('billing_cdr');
  await migratePostgresEventStore(schema.pool);
  // The CDR table in a schema of its own, as CDR_SCHEMA configures it.
  cdrSchema = `${schema.schema}_cdr`;
  await migrateBillingSchema(schema.pool, cdrSchema);
  store = createPostgresEventStore({ pool: schema.pool });
  projection = new CdrProjection(
    new PostgresCdrStore(billingDatabase(schema.pool, cdrSchema)),
    eventStoreCallStreams(store),
    plan,
    { warn: (fields) => warnings.push(fields) },
  );
});

afterAll(async () => {
  await store?.close();
  await schema?.pool.query(`drop schema if exists "${cdrSchema}" cascade`);
  await schema?.drop();
});

describe('CDR projection on PostgreSQL', () => {
  const placed = new Map<string, string>();

  it('writes one CDR per call attempt for every disposition, from the events the call domain produces', async () => {
    const commands = commandHandler(store);
    for (const name of SCENARIOS) {
      const callId = newCallId();
      placed.set(name, callId);
      await placeCall(commands, callId, scenario(name, callId));
      for (const event of await callEvents(store, callId)) {
        expect(await projection.apply(storedCallEventOf(event))).toBe('applied');
      }
    }
    const dispositions = Object.fromEntries(
      await Promise.all(
        [...placed].map(async ([name, callId]) => [
          name,
          (await cdrRow(schema.pool, cdrSchema, callId))?.['disposition'],
        ]),
      ),
    );
    expect(dispositions).toEqual({
      answered: 'answered',
      busy: 'busy',
      no_answer: 'no_answer',
      cancelled: 'cancelled',
      rejected: 'rejected',
      failed: 'failed',
      gateway_lost_after_answer: 'answered',
      incoming_answered: 'answered',
      incoming_declined: 'rejected',
      live: null,
    });
    const answered = await cdrRow(schema.pool, cdrSchema, placed.get('answered') as string);
    expect(answered).toMatchObject({
      direction: 'outgoing',
      billable_seconds: 61,
      talk_ms: '60400',
      sip_code: 200,
      q850_cause: 16,
      hung_up_by: 'caller',
      janus_gateway_id: 'gw-eu-2',
      last_stream_version: 9,
    });
    // Each row equals the pure fold of its stored stream.
    for (const callId of placed.values()) {
      const row = await cdrRow(schema.pool, cdrSchema, callId);
      expect(row?.['last_stream_version']).toBe((await callEvents(store, callId)).length);
    }
  });

  it('applies each event once: redeliveries, duplicates under another message id and old events change nothing', async () => {
    const callId = placed.get('answered') as string;
    const before = await cdrTableText(schema.pool, cdrSchema);
    const events = await callEvents(store, callId);
    for (const event of [...events].reverse()) {
      expect(await projection.apply(storedCallEventOf(event))).toBe('duplicate');
    }
    expect(await cdrTableText(schema.pool, cdrSchema)).toEqual(before);
  });

  it('fills a gap the bus left (a dead-lettered event) from the event store, in order', async () => {
    const callId = newCallId();
    await placeCall(commandHandler(store), callId, scenario('no_answer', callId));
    const events = await callEvents(store, callId);
    // Only the first and the last event arrive.
    await projection.apply(storedCallEventOf(events[0]!));
    await projection.apply(storedCallEventOf(events[events.length - 1]!));
    expect(await cdrRow(schema.pool, cdrSchema, callId)).toMatchObject({
      disposition: 'no_answer',
      sip_call_id: `rb-${callId}@ringbus.example`,
      last_stream_version: events.length,
    });
    expect(await cdrRow(schema.pool, cdrSchema, callId)).toMatchObject({ ringing_at_ms: expect.any(String) });
  });

  it('leaves an unknown event type out, logs it with its event id, and goes on with the call', async () => {
    const callId = newCallId();
    const commands = commandHandler(store);
    const steps = scenario('cancelled', callId);
    await placeCall(commands, callId, steps.slice(0, 3));
    const [last] = storedEventsOf(callId, steps).slice(-1);
    const unknownId = newCallId();
    await store.appendToStream(
      `call-${callId}`,
      [
        {
          eventId: unknownId,
          type: 'CallTeleported',
          schemaVersion: 1,
          data: { callId, occurredAt: new Date().toISOString() },
          metadata: {
            occurredAt: new Date().toISOString(),
            causationId: unknownId,
            correlationId: callId,
            tenant: 'acme',
            traceparent: '',
          },
        },
      ],
      { expectedVersion: 3 },
    );
    await placeCall(commands, callId, [steps[3]!], { firstStep: 3 });
    const events = await callEvents(store, callId);
    expect(events.map((event) => event.type)).toEqual([
      'CallRequested',
      'SipInviteSent',
      'Ringing',
      'CallTeleported',
      'CallEnded',
    ]);
    expect(last?.type).toBe('CallEnded');
    // The bus dead-letters the unknown type (no handler): the projection sees the others.
    for (const event of events.filter((e) => e.type !== 'CallTeleported'))
      await projection.apply(storedCallEventOf(event));
    expect(await cdrRow(schema.pool, cdrSchema, callId)).toMatchObject({
      disposition: 'cancelled',
      last_stream_version: 5,
    });
    expect(warnings).toContainEqual(
      expect.objectContaining({ callId, eventId: unknownId, code: 'UNKNOWN_EVENT_TYPE' }),
    );
  });

  it("reads the log in exactly the store's global order, page by page, across multi-event appends", async () => {
    // Whole calls in one append each: many events per transaction, sequences crossing 9 -> 10 -> 100.
    for (let call = 0; call < 15; call += 1) {
      const callId = newCallId();
      const events = storedEventsOf(callId, scenario('answered', callId)).map((event) => ({
        eventId: newCallId(),
        type: event.type,
        schemaVersion: event.schemaVersion,
        // One caller with the characters COPY must escape, so the rebuild's COPY is checked too.
        data:
          call === 0 && event.type === 'CallRequested'
            ? { ...(event.data as Record<string, unknown>), caller: 'Front\tdesk \\ 1\n' }
            : (event.data as Record<string, unknown>),
        metadata: {
          occurredAt: new Date().toISOString(),
          causationId: 'c',
          correlationId: callId,
          tenant: 'acme',
          traceparent: '',
        },
      }));
      await store.appendToStream(`call-${callId}`, events, { expectedVersion: 'no_stream' });
      for (const event of await callEvents(store, callId)) await projection.apply(storedCallEventOf(event));
    }
    const viaStore: string[] = [];
    for (let after = GLOBAL_POSITION_START; ;) {
      const page = await store.readAll({ after, maxCount: 1_000 });
      if (page.length === 0) break;
      viaStore.push(...page.map((event) => event.eventId));
      after = page[page.length - 1]!.globalPosition;
    }
    const log = postgresCallEventLog(schema.pool);
    const viaLog: string[] = [];
    for (let after = log.start; ;) {
      const page = await log.readPage(after, 4);
      if (page.read === 0) break;
      viaLog.push(...page.events.map((event) => event.eventId));
      after = page.next;
    }
    expect(viaStore.length).toBeGreaterThan(100);
    expect(viaLog).toEqual(viaStore);
  });

  it('rebuilds from the store into the same rows, byte for byte, with the PostgreSQL log and through the port', async () => {
    const live = await cdrTableText(schema.pool, cdrSchema);
    expect(live.length).toBeGreaterThanOrEqual(SCENARIOS.length + 2);

    const skipped: string[] = [];
    const report = await replayCdrProjection({
      pool: schema.pool,
      cdrSchema,
      defaultCountryCode: '49',
      pageSize: 7,
      writeBatch: 3,
      onSkipped: (problem) => skipped.push(problem.code),
    });
    expect(skipped).toEqual(['UNKNOWN_EVENT_TYPE']);
    expect(report.calls).toBe(live.length);
    expect(await cdrTableText(schema.pool, cdrSchema)).toEqual(live);

    const viaPort = await rebuildCdrProjection({
      log: eventStoreCallEventLog(store),
      target: await PostgresCdrRebuildTarget.start(schema.pool, cdrSchema),
      plan,
      pageSize: 5,
      writeBatch: 2,
    });
    expect(viaPort.eventsApplied).toBe(report.eventsApplied);
    expect(await cdrTableText(schema.pool, cdrSchema)).toEqual(live);

    // The live projection goes on writing into the rebuilt table.
    const callId = newCallId();
    await placeCall(commandHandler(store), callId, scenario('busy', callId));
    for (const event of await callEvents(store, callId)) await projection.apply(storedCallEventOf(event));
    expect(await cdrRow(schema.pool, cdrSchema, callId)).toMatchObject({ disposition: 'busy' });
  });
});
