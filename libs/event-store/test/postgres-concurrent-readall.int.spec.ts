import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestSchema, type TestSchema } from '@ringbus/testkit';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_EVENT_BYTES, toAppendRequest } from '../src/append-request.js';
import {
  createPostgresEventStore,
  GLOBAL_POSITION_START,
  migratePostgresEventStore,
  parseGlobalPosition,
  VersionConflictError,
  type EventStore,
  type ExpectedVersion,
  type GlobalPosition,
  type NewEvent,
  type RecordedEvent,
} from '../src/index.js';
import { appendStatement } from '../src/postgres/statements.js';

/**
 * The property the PostgreSQL store exists for: a reader following `readAll` with `after` never skips an
 * event that a concurrent transaction commits late. Eight writers, each on its own connection, append to
 * many streams — single and multi-event appends, and a share of them inside explicit transactions that
 * sleep between the insert and the commit, so lower sequence numbers really do commit after higher ones —
 * while one reader polls. Every round must hand the reader every committed event exactly once, in
 * (commit group, sequence) order, each stream in version order.
 */

const WRITERS = 8;
const MAX_ROUNDS = 20;
const TIME_BUDGET_MS = 20_000;
const APPENDS_PER_WRITER = 40;
const OWN_STREAMS_PER_WRITER = 4;
const SHARED_STREAMS = 3;
const PAGE_SIZES = [1, 5, 64];

interface Writer {
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly db: Kysely<unknown>;
}

interface Committed {
  readonly eventId: string;
  readonly streamId: string;
  readonly streamVersion: number;
}

let testSchema: TestSchema;
let writers: Writer[] = [];

beforeAll(async () => {
  testSchema = await createTestSchema('event_store_readall', 2);
  await migratePostgresEventStore(testSchema.pool);
  writers = Array.from({ length: WRITERS }, () => {
    const pool = new pg.Pool({
      connectionString: testSchema.databaseUrl,
      max: 1,
      options: `-c search_path=${testSchema.schema}`,
    });
    return {
      pool,
      store: createPostgresEventStore({ pool }),
      db: new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }),
    };
  });
});

afterAll(async () => {
  await Promise.all(writers.map((writer) => writer.pool.end()));
  await testSchema?.drop();
});

describe('PostgreSQL readAll under concurrent appends', () => {
  it('hands a polling reader every committed event exactly once, in order, round after round', async () => {
    const reader = createPostgresEventStore({ pool: testSchema.pool });
    const started = Date.now();
    let after: GlobalPosition = GLOBAL_POSITION_START;
    let rounds = 0;
    let readWhileWriting = 0;
    let lateCommits = 0;

    while (rounds < MAX_ROUNDS && Date.now() - started < TIME_BUDGET_MS) {
      rounds += 1;
      const sharedStreams = Array.from({ length: SHARED_STREAMS }, () => `call-shared-${randomUUID()}`);
      let writing = true;
      const commitOrder = new CommitOrder();
      const writes = Promise.all(
        writers.map((writer) => writeRound(writer, sharedStreams, commitOrder)),
      ).finally(() => {
        writing = false;
      });
      // Pages of 1 and 5 often end inside a multi-event transaction, so `after` resumes within a commit group.
      const pageSize = PAGE_SIZES[rounds % PAGE_SIZES.length]!;
      const reading = follow(reader, after, pageSize, () => writing);
      const committed = (await writes).flat();
      const seen = await reading;
      readWhileWriting += seen.length;

      const rest = await followUntil(
        reader,
        seen.at(-1)?.globalPosition ?? after,
        committed.length - seen.length,
      );
      const read = [...seen, ...rest];
      assertExactlyOnceInOrder(read, committed, after);
      const streams = [...new Set([...sharedStreams, ...committed.map((event) => event.streamId)])];
      expect(
        read.map((event) => event.eventId),
        'read order is not the table order',
      ).toEqual(await storedInGlobalOrder(streams));
      after = read.at(-1)?.globalPosition ?? after;
      lateCommits += commitOrder.late;
    }

    expect(rounds).toBeGreaterThanOrEqual(3);
    // The hazard really happened: appends committed after others that had taken higher sequence numbers...
    expect(lateCommits).toBeGreaterThan(0);
    // ...while the reader raced the writers instead of reading after they had finished.
    expect(readWhileWriting).toBeGreaterThan(0);
  });
});

/** Counts commits whose last sequence number is below one already committed: the late commits. */
class CommitOrder {
  late = 0;
  #highest = 0n;

  committed(sequence: bigint): void {
    if (sequence < this.#highest) this.late += 1;
    else this.#highest = sequence;
  }
}

/** One writer's share of a round: appends in order, returns what committed. */
async function writeRound(
  writer: Writer,
  sharedStreams: readonly string[],
  commitOrder: CommitOrder,
): Promise<Committed[]> {
  const ownStreams = Array.from({ length: OWN_STREAMS_PER_WRITER }, () => ({
    streamId: `call-${randomUUID()}`,
    version: 0,
  }));
  const committed: Committed[] = [];
  for (let append = 0; append < APPENDS_PER_WRITER; append += 1) {
    const events = Array.from({ length: Math.random() < 0.35 ? 2 + randomInt(3) : 1 }, () => callEvent());
    const toShared = Math.random() < 0.25;
    const own = ownStreams[randomInt(ownStreams.length)]!;
    const streamId = toShared ? sharedStreams[randomInt(sharedStreams.length)]! : own.streamId;
    const expectedVersion: ExpectedVersion = toShared ? 'any' : own.version;
    const slowed = Math.random() < 0.3;

    const outcome = slowed
      ? await appendInSlowTransaction(writer, streamId, events, expectedVersion)
      : await writer.store
          .appendToStream(streamId, events, { expectedVersion })
          .then((result) => ({
            lastVersion: result.nextExpectedVersion,
            lastSequence: parseGlobalPosition(result.lastGlobalPosition).sequence,
          }))
          .catch((error: unknown) => {
            // Heavy contention on a shared stream can outlast the store's retries: nothing was stored.
            if (toShared && error instanceof VersionConflictError) return undefined;
            throw error;
          });
    if (outcome === undefined) continue;
    commitOrder.committed(outcome.lastSequence);
    const { lastVersion } = outcome;
    if (!toShared) own.version = lastVersion;
    events.forEach((event, index) =>
      committed.push({
        eventId: event.eventId,
        streamId,
        streamVersion: lastVersion - events.length + index + 1,
      }),
    );
  }
  return committed;
}

/**
 * The adapter's own append statement inside an explicit transaction that sleeps before committing: its
 * sequence numbers are taken now and become visible only milliseconds later, after other writers' higher
 * ones. Returns the stream's version and the highest sequence number after the append, or undefined when
 * a shared stream stayed contended.
 */
async function appendInSlowTransaction(
  writer: Writer,
  streamId: string,
  events: readonly NewEvent[],
  expectedVersion: ExpectedVersion,
): Promise<{ lastVersion: number; lastSequence: bigint } | undefined> {
  const request = toAppendRequest(streamId, events, { expectedVersion }, DEFAULT_MAX_EVENT_BYTES);
  for (let attempt = 0; attempt < 10; attempt += 1) {
    try {
      const rows = await writer.db.transaction().execute(async (transaction) => {
        const { rows: inserted } = await appendStatement(request).execute(transaction);
        await sleep(1 + randomInt(8));
        return inserted;
      });
      const appended = rows.filter((row) => row.sequence !== null);
      expect(appended, `append to ${streamId} at ${String(expectedVersion)}`).toHaveLength(events.length);
      return {
        lastVersion: rows[0]!.version_before + appended.length,
        lastSequence: appended.reduce((highest, row) => {
          const sequence = BigInt(row.sequence!);
          return sequence > highest ? sequence : highest;
        }, 0n),
      };
    } catch (error) {
      const uniqueViolation = (error as { code?: string }).code === '23505';
      if (!(uniqueViolation && expectedVersion === 'any')) throw error;
    }
  }
  return undefined;
}

/** Polls readAll from `after` for as long as the writers run. */
async function follow(
  store: EventStore,
  after: GlobalPosition,
  pageSize: number,
  writing: () => boolean,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let position = after;
  while (writing()) {
    const page = await store.readAll({ after: position, maxCount: pageSize });
    if (page.length === 0) {
      await sleep(0);
      continue;
    }
    events.push(...page);
    position = page.at(-1)!.globalPosition;
  }
  return events;
}

/**
 * After the writers stop: reads until `missing` more events arrived (the horizon may still be held back
 * by transactions elsewhere on the server), then checks nothing else follows.
 */
async function followUntil(
  store: EventStore,
  after: GlobalPosition,
  missing: number,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  const deadline = Date.now() + 15_000;
  let position = after;
  for (;;) {
    const page = await store.readAll({ after: position, maxCount: 100 });
    if (page.length > 0) {
      events.push(...page);
      position = page.at(-1)!.globalPosition;
      continue;
    }
    if (events.length >= missing || Date.now() > deadline) return events;
    await sleep(10);
  }
}

function assertExactlyOnceInOrder(
  read: readonly RecordedEvent[],
  committed: readonly Committed[],
  after: GlobalPosition,
) {
  const readIds = read.map((event) => event.eventId);
  expect(new Set(readIds).size, 'an event was read twice').toBe(readIds.length);
  const missing = committed.filter((event) => !readIds.includes(event.eventId));
  expect(missing, `${missing.length} committed events were never read`).toEqual([]);
  expect(read.length, 'the reader saw events nobody committed').toBe(committed.length);

  let previous = after;
  const versions = new Map<string, number>();
  const expectedVersions = new Map(committed.map((event) => [event.eventId, event.streamVersion]));
  for (const event of read) {
    expect(event.globalPosition > previous, `${event.globalPosition} came after ${previous}`).toBe(true);
    previous = event.globalPosition;
    const streamVersion = versions.get(event.streamId) ?? 0;
    expect(event.streamVersion, `${event.streamId} out of version order`).toBe(streamVersion + 1);
    expect(event.streamVersion).toBe(expectedVersions.get(event.eventId));
    versions.set(event.streamId, event.streamVersion);
  }
}

/** Ground truth straight from the table: every stored event of these streams in (transaction_id, sequence) order. */
async function storedInGlobalOrder(streamIds: readonly string[]): Promise<string[]> {
  const { rows } = await testSchema.pool.query<{ event_id: string }>(
    'select event_id from events where stream_id = any($1::text[]) order by transaction_id, sequence',
    [streamIds],
  );
  return rows.map((row) => row.event_id);
}

function callEvent(): NewEvent {
  const callId = randomUUID();
  return {
    eventId: randomUUID(),
    type: 'Ringing',
    schemaVersion: 1,
    data: { callId, sipCode: 180 },
    metadata: {
      occurredAt: new Date().toISOString(),
      causationId: randomUUID(),
      correlationId: callId,
      tenant: 'acme',
      traceparent: '',
    },
  };
}

function randomInt(below: number): number {
  return Math.floor(Math.random() * below);
}
