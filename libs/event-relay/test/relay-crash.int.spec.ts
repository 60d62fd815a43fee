/**
 * The proof: the compiled relay process is killed with SIGKILL in the middle of a large backlog (twice,
 * with more events appended while it is down) and restarted; afterwards the JetStream stream holds
 * exactly the stored events, in global order, none missing and none twice.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { createPostgresEventStore, migratePostgresEventStore, type EventStore } from '@ringbus/event-store';
import { EventHeader } from '@ringbus/event-wire';
import {
  createTestSchema,
  startNodeProcess,
  testNatsUrl,
  uniqueTestName,
  type NodeProcess,
  type TestSchema,
} from '@ringbus/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresRelayCheckpoint } from '../src/index.js';
import { appendCalls, describeMismatch, readWholeStore, readWholeStream, waitFor } from './relay-fixture.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RELAY_MAIN = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));
const BACKLOG = { streams: 600, eventsPerStream: 50, perAppend: 10, concurrency: 8 };

let schema: TestSchema;
let store: EventStore;
let nc: NatsConnection;
let jsm: JetStreamManager;
let natsUrl: string;
const streamName = uniqueTestName('relay_crash');
const subjectPrefix = uniqueTestName('rbcrash');
const relayName = uniqueTestName('crash');
const processes: NodeProcess[] = [];

beforeAll(async () => {
  // The process under test is the compiled one, as operators run it.
  await promisify(execFile)('npx', ['tsc', '-b', 'libs/event-relay'], { cwd: REPO_ROOT });
  schema = await createTestSchema('relay_crash');
  await migratePostgresEventStore(schema.pool);
  store = createPostgresEventStore({ pool: schema.pool });
  natsUrl = (await testNatsUrl()).url;
  nc = await connect({ servers: natsUrl });
  jsm = await jetstreamManager(nc);
}, 120_000);

afterAll(async () => {
  for (const relay of processes) if (relay.isRunning()) await relay.stop({ signal: 'SIGKILL' });
  await jsm?.streams.delete(streamName).catch(() => false);
  await nc?.close();
  await store?.close();
  await schema?.drop();
});

function startRelay(): Promise<NodeProcess> {
  const databaseUrl = new URL(schema.databaseUrl);
  databaseUrl.searchParams.set('options', `-c search_path=${schema.schema}`);
  return startNodeProcess({
    name: 'event-relay',
    args: [RELAY_MAIN],
    cwd: REPO_ROOT,
    env: {
      DATABASE_URL: databaseUrl.toString(),
      NATS_URL: natsUrl,
      RELAY_NAME: relayName,
      RELAY_STREAM_NAME: streamName,
      RELAY_SUBJECT_PREFIX: subjectPrefix,
      // Small batches: more checkpoint writes, so more moments where a kill leaves the stream ahead.
      RELAY_BATCH_SIZE: '200',
      LOG_LEVEL: 'info',
    },
  }).then((relay) => {
    processes.push(relay);
    return relay;
  });
}

async function streamCount(): Promise<number> {
  try {
    return (await jsm.streams.info(streamName)).state.messages;
  } catch {
    return 0;
  }
}

/** Kills the relay with SIGKILL once the stream holds more than `atLeast` messages but not `total`. */
async function killMidway(relay: NodeProcess, atLeast: number, total: number): Promise<number> {
  await waitFor(
    `more than ${atLeast} messages on the stream`,
    async () => {
      if (!relay.isRunning()) throw new Error(`relay exited early:\n${relay.output()}`);
      return (await streamCount()) > atLeast ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 5 },
  );
  relay.kill('SIGKILL');
  const exit = await relay.exited;
  expect(exit.signal).toBe('SIGKILL');
  const onStream = await streamCount();
  expect(onStream, 'the relay must be killed before it relayed everything').toBeLessThan(total);
  return onStream;
}

/** How far the stream's last event is ahead of the checkpoint the dead relay left in PostgreSQL. */
async function streamAheadOfCheckpoint(): Promise<boolean> {
  const checkpoint = await createPostgresRelayCheckpoint(schema.pool, relayName).load();
  const { state } = await jsm.streams.info(streamName);
  const last = await jsm.streams.getMessage(streamName, { seq: state.last_seq });
  const tail = last?.header.get(EventHeader.globalPosition);
  return tail !== undefined && (checkpoint === undefined || checkpoint < tail);
}

describe('relay process killed with SIGKILL mid-backlog', () => {
  it('leaves exactly the stored events on the stream, in order, none missing, none twice', async () => {
    await appendCalls(store, BACKLOG);
    let total = BACKLOG.streams * BACKLOG.eventsPerStream;
    expect((await readWholeStore(store)).length).toBe(total);

    // Kill at least twice, and until one kill has landed after a publish but before its checkpoint write:
    // the case where only the stream's own tail tells the restarted relay where to go on.
    let onStream = 0;
    let kills = 0;
    let killedWithStreamAhead = 0;
    while (kills < 2 || (killedWithStreamAhead === 0 && kills < 6)) {
      const relay = await startRelay();
      onStream = await killMidway(relay, onStream + 2_500, total);
      kills++;
      if (await streamAheadOfCheckpoint()) killedWithStreamAhead++;
      if (kills === 1) {
        // Written while no relay runs: the restarted relay must pick these up after the backlog.
        await appendCalls(store, { streams: 40, eventsPerStream: 50, perAppend: 5, concurrency: 4 });
        total += 40 * 50;
      }
    }
    expect(
      killedWithStreamAhead,
      'no kill landed between a publish and its checkpoint write',
    ).toBeGreaterThan(0);

    const last = await startRelay();
    await appendCalls(store, { streams: 20, eventsPerStream: 10, perAppend: 2, concurrency: 4 });
    total += 20 * 10;
    await waitFor(
      `all ${total} events on the stream`,
      async () => ((await streamCount()) >= total ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const stopped = await last.stop({ signal: 'SIGTERM', timeoutMs: 10_000 });
    expect(stopped, last.output()).toEqual({ code: 0, signal: null });

    const stored = await readWholeStore(store);
    expect(stored).toHaveLength(total);
    const relayed = await readWholeStream(nc, streamName);
    expect(describeMismatch(stored, relayed, subjectPrefix)).toBeUndefined();
    console.log(
      `${kills} SIGKILLs (${killedWithStreamAhead} with the stream ahead of the checkpoint), ${total} events`,
    );
  }, 180_000);
});
