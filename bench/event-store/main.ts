/**
 * `npm run bench -- event-store [--quick]`: append and read-all throughput of Ringbus's PostgreSQL event
 * store, next to Emmett's PostgreSQL event store as the peer, on the same server, with the same calls.
 */
import { cpus, loadavg } from 'node:os';
import { GLOBAL_POSITION_START, type EventStore, type GlobalPosition } from '@ringbus/event-store';
import {
  createBenchSchema,
  emmettTarget,
  ringbusTarget,
  type AppendTarget,
  type BenchSchema,
} from './bench-targets.js';
import { eventBytes, generateCalls, seededRandom, type BenchCall } from './call-events.js';
import { printMeasurements, writeResults, type Measurement } from './bench-report.js';

const quick = process.argv.includes('--quick');
const databaseUrl = process.env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/test';
const WRITER_COUNTS = [1, 8] as const;
/**
 * Calls (5–10 events each) per mode and writer count: a few seconds per store in --quick, where the
 * whole run stays well under a minute on 2 cores, and several times that in a full run.
 */
const CALLS: Record<AppendMode, Record<(typeof WRITER_COUNTS)[number], number>> = quick
  ? { 'event-by-event': { 1: 250, 8: 1000 }, 'whole-call': { 1: 600, 8: 2000 } }
  : { 'event-by-event': { 1: 1000, 8: 5000 }, 'whole-call': { 1: 2500, 8: 10000 } };
const WARM_UP_CALLS = 16;
const READ_PAGE = 1000;
const MIN_READ_SECONDS = quick ? 1 : 3;

type AppendMode = 'event-by-event' | 'whole-call';

async function main(): Promise<void> {
  const random = seededRandom(20250101);
  const schemas: BenchSchema[] = [];
  const measurements: Measurement[] = [];
  try {
    const ringbusSchema = await createBenchSchema(databaseUrl, 'bench_es_ringbus', 8);
    schemas.push(ringbusSchema);
    const emmettSchema = await createBenchSchema(databaseUrl, 'bench_es_emmett', 8);
    schemas.push(emmettSchema);
    const ringbus = await ringbusTarget(ringbusSchema);
    const emmett = await emmettTarget(emmettSchema);

    const sample = generateCalls(200, random).flatMap((call) => call.events.map(eventBytes));
    console.log(
      `event-store bench${quick ? ' (quick)' : ''}: ${cpus().length} CPUs, load ${loadavg()
        .map((load) => load.toFixed(2))
        .join(' ')}; events ${Math.min(...sample)}–${Math.max(...sample)} bytes, mean ${Math.round(
        sample.reduce((sum, size) => sum + size, 0) / sample.length,
      )}`,
    );

    for (const target of [ringbus, emmett]) {
      await runAppends(target, generateCalls(WARM_UP_CALLS, random), 8, 'event-by-event');
    }
    for (const mode of ['event-by-event', 'whole-call'] as const) {
      for (const writers of WRITER_COUNTS) {
        // Each store appends two halves of the calls in the order peer, ours, ours, peer, so a drift in
        // the machine's background load (other processes share these 2 cores) favours neither.
        const [first, second] = halves(generateCalls(CALLS[mode][writers], random));
        const peerFirst = await measureAppends(emmett, first, writers, mode);
        const oursFirst = await measureAppends(ringbus, first, writers, mode);
        const oursSecond = await measureAppends(ringbus, second, writers, mode);
        const peerSecond = await measureAppends(emmett, second, writers, mode);
        const peer = combined(peerFirst, peerSecond);
        const ours = combined(oursFirst, oursSecond);
        measurements.push(
          { ...peer, ratioVsPeer: null },
          { ...ours, ratioVsPeer: ours.eventsPerSecond / peer.eventsPerSecond },
        );
      }
    }
    const { rows } = await ringbusSchema.pool.query<{ stored: string }>(
      'select count(*) as stored from events',
    );
    measurements.push(await measureReadAll(ringbus.store, Number(rows[0]?.stored)));

    printMeasurements(measurements);
    const path = await writeResults(measurements, { quick, loadAverage: loadavg(), cpus: cpus().length });
    console.log(`results: ${path}`);
    await ringbus.close();
    await emmett.close();
  } finally {
    for (const schema of schemas)
      await schema.drop().catch((error: unknown) => console.error(`drop ${schema.schema}:`, error));
  }
}

function halves<T>(items: readonly T[]): [T[], T[]] {
  const middle = Math.ceil(items.length / 2);
  return [items.slice(0, middle), items.slice(middle)];
}

type AppendMeasurement = Omit<Measurement, 'ratioVsPeer'>;

function combined(a: AppendMeasurement, b: AppendMeasurement): AppendMeasurement {
  const events = a.events + b.events;
  const seconds = a.seconds + b.seconds;
  return { ...a, events, seconds, eventsPerSecond: events / seconds };
}

async function measureAppends(
  target: AppendTarget,
  calls: readonly BenchCall[],
  writers: number,
  mode: AppendMode,
): Promise<AppendMeasurement> {
  const events = calls.reduce((sum, call) => sum + call.events.length, 0);
  const started = process.hrtime.bigint();
  await runAppends(target, calls, writers, mode);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    suite: `${target.name} append ${mode}`,
    store: target.name,
    operation: `append ${mode}`,
    writers,
    events,
    seconds,
    eventsPerSecond: events / seconds,
  };
}

/** `writers` concurrent loops, each taking the next call from a shared queue (as services serve calls). */
async function runAppends(
  target: AppendTarget,
  calls: readonly BenchCall[],
  writers: number,
  mode: AppendMode,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < calls.length) {
        const call = calls[next++]!;
        await (mode === 'event-by-event' ? target.appendEventByEvent(call) : target.appendWholeCall(call));
      }
    }),
  );
}

/** Every event of the log, page by page from the start, as a relay catching up reads it. */
async function readWholeLog(store: EventStore): Promise<number> {
  let events = 0;
  let after: GlobalPosition = GLOBAL_POSITION_START;
  for (;;) {
    const page = await store.readAll({ after, maxCount: READ_PAGE });
    if (page.length === 0) return events;
    events += page.length;
    after = page[page.length - 1]!.globalPosition;
  }
}

/**
 * Reads the whole log again and again until MIN_READ_SECONDS have passed. First waits until all `stored`
 * events are readable: a write transaction left open anywhere on the server holds readAll back.
 */
async function measureReadAll(store: EventStore, stored: number): Promise<Measurement> {
  const deadline = Date.now() + 30_000;
  while ((await readWholeLog(store)) < stored) {
    if (Date.now() > deadline) {
      throw new Error('a long-running transaction on the server keeps the log from being read: try again');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  let events = 0;
  let passes = 0;
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  do {
    events += await readWholeLog(store);
    passes += 1;
  } while (elapsed() < MIN_READ_SECONDS);
  const seconds = elapsed();
  return {
    suite: `ringbus read-all (page ${READ_PAGE}, ${passes} passes)`,
    store: 'ringbus',
    operation: 'read-all',
    writers: 1,
    events,
    seconds,
    eventsPerSecond: events / seconds,
    ratioVsPeer: null,
  };
}

await main();
