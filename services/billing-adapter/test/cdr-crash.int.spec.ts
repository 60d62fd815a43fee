/**
 * The proof for the live path: the compiled billing-adapter, consuming the relay's JetStream stream,
 * is killed with SIGKILL (by PID) in the middle of projecting 10,000 calls and started again; afterwards
 * the table holds exactly 10,000 final CDRs, none doubled, none missing, each at its stream's last
 * version, and equal byte for byte to a rebuild from the store. Then an event type the service does not
 * know goes through the bus: logged, dead-lettered, and the call's CDR still completes.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createEventRelay, createInMemoryRelayCheckpoint, type EventRelay } from '@ringbus/event-relay';
import { createPostgresEventStore, migratePostgresEventStore, type EventStore } from '@ringbus/event-store';
import {
  createTestSchema,
  spawnService,
  testNatsUrl,
  uniqueTestName,
  type ServiceProcess,
  type TestSchema,
} from '@ringbus/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayCdrProjection } from '../src/replay.js';
import { cdrRow, cdrTableText, inParallel, newCallId, newEventsOf } from './support/billing-fixture.js';
import { scenario, type ScenarioName } from './support/call-scenarios.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));
const CALLS = 10_000;
// Short calls of every ending (2–4 events each): the proof is about counts, not call length.
const SHAPES: readonly ScenarioName[] = [
  'busy',
  'failed',
  'cancelled',
  'rejected',
  'no_answer',
  'incoming_answered',
  'incoming_declined',
];

let schema: TestSchema;
let store: EventStore;
let nats: NatsConnection;
let jsm: JetStreamManager;
let relay: EventRelay;
const names = {
  stream: uniqueTestName('bill_events'),
  prefix: uniqueTestName('billev'),
  durable: uniqueTestName('bill_cdr'),
  dlqStream: uniqueTestName('bill_dlq'),
  dlqPrefix: uniqueTestName('billdlq'),
};
const processes: ServiceProcess[] = [];

beforeAll(async () => {
  // The process under test is the compiled one, as operators run it.
  await promisify(execFile)('npx', ['tsc', '-b', 'services/billing-adapter'], { cwd: REPO_ROOT });
  schema = await createTestSchema('billing_crash');
  await migratePostgresEventStore(schema.pool);
  store = createPostgresEventStore({ pool: schema.pool });
  nats = await connect({ servers: (await testNatsUrl()).url });
  jsm = await jetstreamManager(nats);
  relay = createEventRelay({
    store,
    nats,
    checkpoint: createInMemoryRelayCheckpoint('billing-crash'),
    streamName: names.stream,
    subjectPrefix: names.prefix,
    idlePollMs: 10,
    backoff: { initialMs: 20, maxMs: 200 },
  });
  await relay.start();
}, 120_000);

afterAll(async () => {
  for (const service of processes) if (service.isRunning()) await service.stop({ signal: 'SIGKILL' });
  await relay?.stop();
  for (const stream of [names.stream, names.dlqStream]) await jsm?.streams.delete(stream).catch(() => false);
  await nats?.close();
  await store?.close();
  await schema?.pool.query(`drop schema if exists "${schema.schema}_rebuilt" cascade`).catch(() => undefined);
  await schema?.drop();
});

async function startService(): Promise<ServiceProcess> {
  const databaseUrl = new URL(schema.databaseUrl);
  databaseUrl.searchParams.set('options', `-c search_path=${schema.schema}`);
  const service = await spawnService({
    main: MAIN,
    env: {
      DATABASE_URL: databaseUrl.toString(),
      EVENTS_STREAM_NAME: names.stream,
      EVENTS_SUBJECT_PREFIX: names.prefix,
      EVENTS_DURABLE_NAME: names.durable,
      DEAD_LETTER_STREAM: names.dlqStream,
      DEAD_LETTER_SUBJECT_PREFIX: names.dlqPrefix,
      CDR_DEFAULT_COUNTRY_CODE: '49',
      LOG_LEVEL: 'info',
    },
  });
  processes.push(service);
  return service;
}

async function finalCdrs(): Promise<number> {
  const { rows } = await schema.pool
    .query<{ n: string }>('select count(*) as n from cdr where disposition is not null')
    .catch(() => ({ rows: [{ n: '0' }] }));
  return Number(rows[0]?.n);
}

async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  service?: ServiceProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (service !== undefined && !service.isRunning())
      throw new Error(`service exited while waiting for ${what}:\n${service.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('billing-adapter killed with SIGKILL mid-projection', () => {
  it('ends with exactly one final CDR per call, none doubled, none missing, equal to a rebuild', async () => {
    const calls = Array.from({ length: CALLS }, (_, index) => ({
      callId: newCallId(),
      shape: SHAPES[index % SHAPES.length]!,
    }));
    let events = 0;
    await inParallel(calls, 8, async ({ callId, shape }) => {
      const newEvents = newEventsOf(callId, scenario(shape, callId));
      events += newEvents.length;
      await store.appendToStream(`call-${callId}`, newEvents, { expectedVersion: 'no_stream' });
    });

    const first = await startService();
    await waitFor('a fifth of the CDRs', async () => (await finalCdrs()) >= CALLS / 5, 120_000, first);
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const atKill = await finalCdrs();
    expect(atKill, 'killed before it projected everything').toBeLessThan(CALLS);

    const second = await startService();
    await waitFor(`all ${CALLS} CDRs`, async () => (await finalCdrs()) >= CALLS, 170_000, second);

    const { rows } = await schema.pool.query<{
      rows: string;
      calls: string;
      wrong_version: string;
      live: string;
    }>(
      `select count(*) as rows, count(distinct call_id) as calls,
              count(*) filter (where last_stream_version <> (select max(stream_version) from events e where e.stream_id = 'call-' || cdr.call_id)) as wrong_version,
              count(*) filter (where disposition is null) as live
       from cdr`,
    );
    expect(rows[0]).toEqual({ rows: String(CALLS), calls: String(CALLS), wrong_version: '0', live: '0' });

    // The same rows a rebuild from the store makes, byte for byte.
    const rebuiltSchema = `${schema.schema}_rebuilt`;
    const report = await replayCdrProjection({
      pool: schema.pool,
      cdrSchema: rebuiltSchema,
      defaultCountryCode: '49',
    });
    expect(report.eventsApplied).toBe(events);
    expect(await cdrTableText(schema.pool, rebuiltSchema)).toEqual(
      await cdrTableText(schema.pool, schema.schema),
    );
    console.log(`${CALLS} calls, ${events} events; killed at ${atKill} final CDRs`);
  }, 330_000);

  it('dead-letters an unknown event type, logs it, and keeps projecting', async () => {
    const service = processes.find((candidate) => candidate.isRunning()) ?? (await startService());
    const callId = newCallId();
    const [requested, ...rest] = newEventsOf(callId, scenario('cancelled', callId));
    const unknownId = newCallId();
    await store.appendToStream(`call-${callId}`, [requested!], { expectedVersion: 'no_stream' });
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
      { expectedVersion: 1 },
    );
    await store.appendToStream(`call-${callId}`, rest, { expectedVersion: 2 });

    await waitFor(
      "the call's CDR",
      async () => (await cdrRow(schema.pool, schema.schema, callId))?.['disposition'] === 'cancelled',
      30_000,
      service,
    );
    expect(await cdrRow(schema.pool, schema.schema, callId)).toMatchObject({
      last_stream_version: 2 + rest.length,
    });
    const dlq = await jsm.streams.getMessage(names.dlqStream, {
      last_by_subj: `${names.dlqPrefix}.${names.durable}`,
    });
    expect(dlq?.header.get('Ringbus-Dlq-Reason')).toBe('no_handler');
    expect(JSON.parse(new TextDecoder().decode(dlq?.data)).eventId).toBe(unknownId);
    await service.waitForOutput(new RegExp(unknownId), 5_000);
  }, 60_000);
});
