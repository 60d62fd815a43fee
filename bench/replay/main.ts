/**
 * `npm run bench -- replay [--quick] [--calls N] [--keep] [--schema NAME]`: generates calls through the
 * call decider and the PostgreSQL event store's append, then rebuilds the CDR projection from zero, and
 * puts the naive projection (one event at a time, as the live consumer applies them) beside it as the
 * baseline. Writes bench/results/replay.json.
 *
 * --keep leaves the schema (events and CDRs) in place and prints its name; --schema NAME rebuilds from
 * a kept schema without generating again.
 */
import { cpus, loadavg } from 'node:os';
import { createPostgresEventStore, migratePostgresEventStore, type EventStore } from '@ringbus/event-store';
import { replayCdrProjection } from '@ringbus/billing-adapter/replay';
import pg from 'pg';
import { seededRandom } from '../event-store/call-events.js';
import { createBenchSchema, type BenchSchema } from '../event-store/bench-targets.js';
import { generateCalls, type GeneratedCall } from './call-generator.js';
import { measureNaiveProjection } from './naive-projection.js';
import { printReplayTable, writeReplayResults, type ReplayRow } from './replay-report.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const keep = args.includes('--keep');
const optionValue = (name: string): string | undefined => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const calls = Number(optionValue('--calls') ?? (quick ? 100_000 : 1_000_000));
const reuseSchema = optionValue('--schema');
const databaseUrl = process.env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/test';
const WRITERS = 8;
/** The baseline runs this long (it would take hours on the whole log); its rate is what is compared. */
const NAIVE_SECONDS = quick ? 8 : 15;

async function main(): Promise<void> {
  const started = performance.now();
  const schema =
    reuseSchema === undefined
      ? await createBenchSchema(databaseUrl, 'bench_replay', WRITERS + 2)
      : existingSchema(reuseSchema);
  let dropSchema = !keep && reuseSchema === undefined;
  try {
    console.log(
      `replay bench${quick ? ' (quick)' : ''}: ${cpus().length} CPUs, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, schema ${schema.schema}`,
    );
    // Generating is set-up, not what is measured: commits need not wait for the disk (same statements).
    schema.pool.on(
      'connect',
      (client) => void client.query('set synchronous_commit = off').catch(() => undefined),
    );
    await migratePostgresEventStore(schema.pool);
    const store = createPostgresEventStore({ pool: schema.pool });
    const rows: ReplayRow[] = [];
    if (reuseSchema === undefined) rows.push(await generate(store, calls));
    await store.close();
    const { rows: counted } = await schema.pool.query<{ events: string; calls: string }>(
      "select count(*) as events, count(distinct stream_id) as calls from events where stream_id like 'call-%'",
    );
    const storedEvents = Number(counted[0]?.events);
    const storedCalls = Number(counted[0]?.calls);

    // Settle: the generator's last commits and autovacuum of the fresh table should not land in the timing.
    await schema.pool.query('vacuum analyze events');
    await waitUntilReadable(schema.pool, storedEvents);

    let lastLine = 0;
    const report = await replayCdrProjection({
      pool: schema.pool,
      onProgress: ({ events }) => {
        if (events - lastLine >= 1_000_000) {
          lastLine = events;
          console.log(`  rebuild: ${events.toLocaleString('en-US')} events`);
        }
      },
    });
    const { rows: written } = await schema.pool.query<{ cdrs: string }>('select count(*) as cdrs from cdr');
    const cdrs = Number(written[0]?.cdrs);
    if (cdrs !== storedCalls) throw new Error(`rebuild wrote ${cdrs} CDRs for ${storedCalls} calls`);
    if (report.eventsApplied !== storedEvents) {
      throw new Error(
        `rebuild folded ${report.eventsApplied} of ${storedEvents} events: ${JSON.stringify(report.skipped)}`,
      );
    }
    const batched: ReplayRow = {
      name: 'rebuild, batched (pages of 1,000, COPY batches of 2,000, swap)',
      calls: report.calls,
      events: report.eventsRead,
      seconds: report.seconds,
      ratio: null,
    };

    const naive = await measureNaiveProjection(schema, NAIVE_SECONDS);
    const naiveRow: ReplayRow = {
      name: `naive, one event at a time (load + conditional upsert), ${NAIVE_SECONDS} s sample`,
      calls: naive.calls,
      events: naive.events,
      seconds: naive.seconds,
      ratio: null,
    };
    rows.push(naiveRow, {
      ...batched,
      ratio: batched.events / batched.seconds / (naive.events / naive.seconds),
    });

    printReplayTable(rows);
    const totalSeconds = (performance.now() - started) / 1000;
    const path = await writeReplayResults({
      quick,
      calls: storedCalls,
      events: storedEvents,
      rebuildSeconds: report.seconds,
      rebuildEventsPerSecond: report.eventsRead / report.seconds,
      rebuildCallsPerSecond: report.calls / report.seconds,
      naiveEventsPerSecond: naive.events / naive.seconds,
      totalSeconds,
      rows,
    });
    console.log(
      `rebuilt ${storedCalls.toLocaleString('en-US')} calls (${storedEvents.toLocaleString('en-US')} events) in ${report.seconds.toFixed(1)} s: ` +
        `${Math.round(report.eventsRead / report.seconds).toLocaleString('en-US')} events/s, ${Math.round(report.calls / report.seconds).toLocaleString('en-US')} calls/s; whole run ${totalSeconds.toFixed(1)} s`,
    );
    console.log(`results: ${path}`);
    if (keep) {
      dropSchema = false;
      console.log(`kept schema ${schema.schema}: rerun with --schema ${schema.schema}`);
    }
  } finally {
    if (dropSchema)
      await schema.drop().catch((error: unknown) => console.error(`drop ${schema.schema}:`, error));
    else await schema.pool.end();
  }
}

/** Appends `count` calls, whole calls at a time, from WRITERS concurrent writers. */
async function generate(store: EventStore, count: number): Promise<ReplayRow> {
  const source = generateCalls(count, seededRandom(20250102), Date.UTC(2025, 0, 2));
  let events = 0;
  let done = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let next = source.next(); !next.done; next = source.next()) {
        const call: GeneratedCall = next.value;
        await store.appendToStream(call.streamId, call.events, { expectedVersion: 'no_stream' });
        events += call.events.length;
        done += 1;
        if (done % 100_000 === 0) console.log(`  generated ${done.toLocaleString('en-US')} calls`);
      }
    }),
  );
  const seconds = (performance.now() - startedAt) / 1000;
  return {
    name: 'generate: decide + append (whole call, 8 writers)',
    calls: done,
    events,
    seconds,
    ratio: null,
  };
}

/**
 * A write transaction left open anywhere on the server holds every reader of the log back (the store's
 * horizon, docs/architecture.md): wait until all stored events are readable, so the rebuild reads them all.
 */
async function waitUntilReadable(pool: pg.Pool, stored: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { rows } = await pool.query<{ readable: string }>(
      "select count(*) as readable from events where stream_id like 'call-%' and transaction_id < pg_snapshot_xmin(pg_current_snapshot())",
    );
    if (Number(rows[0]?.readable) >= stored) return;
    if (Date.now() > deadline)
      throw new Error('a long-running transaction on the server keeps the log from being read: try again');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function existingSchema(name: string): BenchSchema {
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  const pool = new pg.Pool({ connectionString: url.toString(), max: WRITERS + 2 });
  return { schema: name, pool, connectionString: url.toString(), drop: () => pool.end() };
}

await main();
