import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_EVENT_BYTES,
  DuplicateEventIdError,
  EventTooLargeError,
  GLOBAL_POSITION_START,
  InvalidAppendError,
  StreamNotFoundError,
  VersionConflictError,
  type EventStore,
  type ExpectedVersion,
  type GlobalPosition,
  type NewEvent,
  type RecordedEvent,
} from '../src/index.js';

/**
 * The behaviour every `EventStore` backend must show. `factory` is called before each test; stores it
 * returns may share storage with earlier tests, so every test works on its own streams and reads the
 * global log filtered to them.
 */
export function runEventStoreContract(name: string, factory: () => Promise<EventStore>): void {
  describe(`${name} — event store contract`, () => {
    let store: EventStore;

    beforeEach(async () => {
      store = await factory();
    });

    afterEach(async () => {
      await store.close();
    });

    describe('append and read a stream', () => {
      it('returns appended events in version order with everything they were given', async () => {
        const streamId = newStreamId();
        const events = [callEvent('CallRequested'), callEvent('SipInviteSent'), callEvent('Ringing')];

        const result = await store.appendToStream(streamId, events, { expectedVersion: 'no_stream' });
        const read = await store.readStream(streamId);

        expect(result.nextExpectedVersion).toBe(3);
        expect(read.map((event) => event.streamVersion)).toEqual([1, 2, 3]);
        expect(read.map(withoutPosition)).toEqual(
          events.map((event, index) => ({ ...event, streamId, streamVersion: index + 1 })),
        );
        expect(read[2]?.globalPosition).toBe(result.lastGlobalPosition);
        expect(read[0]!.globalPosition < read[1]!.globalPosition).toBe(true);
        expect(read[1]!.globalPosition < read[2]!.globalPosition).toBe(true);
      });

      it('reads from a version and at most maxCount events', async () => {
        const streamId = newStreamId();
        await store.appendToStream(
          streamId,
          [1, 2, 3, 4, 5].map(() => callEvent()),
          { expectedVersion: 0 },
        );

        expect(versionsOf(await store.readStream(streamId, { fromVersion: 2, maxCount: 2 }))).toEqual([2, 3]);
        expect(versionsOf(await store.readStream(streamId, { fromVersion: 4 }))).toEqual([4, 5]);
        expect(versionsOf(await store.readStream(streamId, { maxCount: 1 }))).toEqual([1]);
        expect(await store.readStream(streamId, { fromVersion: 6 })).toEqual([]);
      });

      it('throws StreamNotFoundError for a stream without events, from any version', async () => {
        const streamId = newStreamId();
        await expect(store.readStream(streamId)).rejects.toBeInstanceOf(StreamNotFoundError);
        await expect(store.readStream(streamId, { fromVersion: 3 })).rejects.toMatchObject({
          code: 'STREAM_NOT_FOUND',
          streamId,
        });
      });

      it('gives later appends later global positions', async () => {
        const first = await store.appendToStream(newStreamId(), [callEvent()], { expectedVersion: 'any' });
        const second = await store.appendToStream(newStreamId(), [callEvent()], { expectedVersion: 'any' });
        expect(first.lastGlobalPosition < second.lastGlobalPosition).toBe(true);
      });

      it('round-trips metadata and nested data exactly', async () => {
        const streamId = newStreamId();
        const event: NewEvent = {
          eventId: randomUUID(),
          type: 'Hangup',
          schemaVersion: 3,
          data: {
            sipCode: 486,
            q850Cause: 17,
            hungUpBy: 'callee',
            reason: 'Busy Here — «occupé» 📞',
            nested: { list: [1, 'two', { three: null }], flag: false, ratio: 0.125 },
            empty: {},
          },
          metadata: {
            occurredAt: '2025-01-02T03:04:05.678Z',
            causationId: randomUUID(),
            correlationId: randomUUID(),
            tenant: 'tenant-æøå',
            traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
          },
        };
        await store.appendToStream(streamId, [event], { expectedVersion: 'no_stream' });

        const [fromStream] = await store.readStream(streamId);
        const [fromAll] = await readOwnEvents(store, [streamId], 1);
        expect(withoutPosition(fromStream!)).toEqual({ ...event, streamId, streamVersion: 1 });
        expect(fromAll).toEqual(fromStream);
      });

      it('stores event ids lower-cased', async () => {
        const streamId = newStreamId();
        const eventId = randomUUID();
        await store.appendToStream(streamId, [{ ...callEvent(), eventId: eventId.toUpperCase() }], {
          expectedVersion: 'any',
        });
        expect((await store.readStream(streamId))[0]?.eventId).toBe(eventId);
      });
    });

    describe('expected versions', () => {
      it('a number: appends when the stream is exactly at that version (0 = no events)', async () => {
        const streamId = newStreamId();
        const first = await store.appendToStream(streamId, [callEvent(), callEvent()], {
          expectedVersion: 0,
        });
        const second = await store.appendToStream(streamId, [callEvent()], {
          expectedVersion: first.nextExpectedVersion,
        });
        expect(second.nextExpectedVersion).toBe(3);
        expect(versionsOf(await store.readStream(streamId))).toEqual([1, 2, 3]);
      });

      it('a number: refuses a stale or future version with the actual version, and stores nothing', async () => {
        const streamId = newStreamId();
        await store.appendToStream(streamId, [callEvent(), callEvent()], { expectedVersion: 'no_stream' });

        for (const stale of [0, 1, 3, 99]) {
          const error = await store
            .appendToStream(streamId, [callEvent()], { expectedVersion: stale })
            .catch((caught: unknown) => caught);
          expect(error).toBeInstanceOf(VersionConflictError);
          expect(error).toMatchObject({
            streamId,
            expectedVersion: String(stale),
            actualVersion: 2,
            retryable: false,
          });
        }
        expect(versionsOf(await store.readStream(streamId))).toEqual([1, 2]);
      });

      it('a number on a stream that does not exist yet: only 0 is accepted', async () => {
        const streamId = newStreamId();
        await expect(
          store.appendToStream(streamId, [callEvent()], { expectedVersion: 1 }),
        ).rejects.toMatchObject({
          code: 'VERSION_CONFLICT',
          actualVersion: 0,
        });
        await expect(store.readStream(streamId)).rejects.toBeInstanceOf(StreamNotFoundError);
      });

      it('no_stream: creates the stream, then refuses with the actual version', async () => {
        const streamId = newStreamId();
        await store.appendToStream(streamId, [callEvent()], { expectedVersion: 'no_stream' });
        await expect(
          store.appendToStream(streamId, [callEvent()], { expectedVersion: 'no_stream' }),
        ).rejects.toMatchObject({ code: 'VERSION_CONFLICT', expectedVersion: 'no_stream', actualVersion: 1 });
      });

      it('stream_exists: refuses a missing stream, appends to an existing one', async () => {
        const streamId = newStreamId();
        await expect(
          store.appendToStream(streamId, [callEvent()], { expectedVersion: 'stream_exists' }),
        ).rejects.toMatchObject({
          code: 'VERSION_CONFLICT',
          expectedVersion: 'stream_exists',
          actualVersion: 0,
        });
        await store.appendToStream(streamId, [callEvent()], { expectedVersion: 'no_stream' });
        const result = await store.appendToStream(streamId, [callEvent()], {
          expectedVersion: 'stream_exists',
        });
        expect(result.nextExpectedVersion).toBe(2);
      });

      it('any: appends to a new and to an existing stream', async () => {
        const streamId = newStreamId();
        expect(
          (await store.appendToStream(streamId, [callEvent()], { expectedVersion: 'any' }))
            .nextExpectedVersion,
        ).toBe(1);
        expect(
          (await store.appendToStream(streamId, [callEvent(), callEvent()], { expectedVersion: 'any' }))
            .nextExpectedVersion,
        ).toBe(3);
      });

      it('two concurrent appends with the same expected version: exactly one wins', async () => {
        const rounds = 10;
        await Promise.all(
          Array.from({ length: rounds }, async () => {
            const streamId = newStreamId();
            await store.appendToStream(streamId, [callEvent()], { expectedVersion: 'no_stream' });
            const contenders = [callEvent('Ringing'), callEvent('Answered')];
            const outcomes = await Promise.allSettled(
              contenders.map((event) => store.appendToStream(streamId, [event], { expectedVersion: 1 })),
            );

            const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
            const lost = outcomes.flatMap((outcome) =>
              outcome.status === 'rejected' ? [outcome.reason] : [],
            );
            expect(won).toHaveLength(1);
            expect(lost).toHaveLength(1);
            expect(lost[0]).toBeInstanceOf(VersionConflictError);
            expect(lost[0]).toMatchObject({ actualVersion: 2, expectedVersion: '1' });
            expect(versionsOf(await store.readStream(streamId))).toEqual([1, 2]);
          }),
        );
      });

      it('concurrent no_stream appends: exactly one creates the stream', async () => {
        const streamId = newStreamId();
        const outcomes = await Promise.allSettled(
          [1, 2, 3].map(() =>
            store.appendToStream(streamId, [callEvent()], { expectedVersion: 'no_stream' }),
          ),
        );
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected')
            expect(outcome.reason).toMatchObject({ code: 'VERSION_CONFLICT' });
        }
      });

      it('concurrent any appends all land, each at its own version', async () => {
        const streamId = newStreamId();
        const results = await Promise.all(
          [1, 2, 3, 4].map(() => store.appendToStream(streamId, [callEvent()], { expectedVersion: 'any' })),
        );
        expect(results.map((result) => result.nextExpectedVersion).sort()).toEqual([1, 2, 3, 4]);
        expect(versionsOf(await store.readStream(streamId))).toEqual([1, 2, 3, 4]);
      });
    });

    describe('limits and invalid appends', () => {
      it('refuses an event over the size limit before storing anything', async () => {
        const streamId = newStreamId();
        const small = callEvent();
        const large = sizedEvent(DEFAULT_MAX_EVENT_BYTES + 1);
        const error = await store
          .appendToStream(streamId, [small, large], { expectedVersion: 'any' })
          .catch((caught: unknown) => caught);

        expect(error).toBeInstanceOf(EventTooLargeError);
        expect(error).toMatchObject({
          eventId: large.eventId,
          sizeBytes: DEFAULT_MAX_EVENT_BYTES + 1,
          limitBytes: DEFAULT_MAX_EVENT_BYTES,
          retryable: false,
        });
        await expect(store.readStream(streamId)).rejects.toBeInstanceOf(StreamNotFoundError);
      });

      it('accepts an event of exactly the limit, counting bytes not characters', async () => {
        const streamId = newStreamId();
        const event = sizedEvent(DEFAULT_MAX_EVENT_BYTES);
        await store.appendToStream(streamId, [event], { expectedVersion: 'no_stream' });
        expect((await store.readStream(streamId))[0]?.data).toEqual(event.data);
      });

      it('refuses an event id that is already stored, in any stream, and stores none of the batch', async () => {
        const first = newStreamId();
        const second = newStreamId();
        const taken = callEvent();
        await store.appendToStream(first, [taken], { expectedVersion: 'no_stream' });

        const fresh = callEvent();
        const error = await store
          .appendToStream(second, [fresh, { ...taken, eventId: taken.eventId.toUpperCase() }], {
            expectedVersion: 'no_stream',
          })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error).toMatchObject({ eventId: taken.eventId, code: 'DUPLICATE_EVENT_ID' });
        await expect(store.readStream(second)).rejects.toBeInstanceOf(StreamNotFoundError);
        // The fresh event was rolled back with its batch, so it can still be appended.
        await store.appendToStream(second, [fresh], { expectedVersion: 'no_stream' });
        await expect(store.appendToStream(first, [taken], { expectedVersion: 1 })).rejects.toBeInstanceOf(
          DuplicateEventIdError,
        );
      });

      it('refuses malformed appends with InvalidAppendError', async () => {
        const streamId = newStreamId();
        const valid = callEvent();
        const invalid: [string, unknown[], unknown][] = [
          ['', [valid], 'any'],
          [streamId, [], 'any'],
          [streamId, [valid], -1],
          [streamId, [valid], 1.5],
          [streamId, [valid], Number.NaN],
          [streamId, [valid], 'latest'],
          [streamId, [valid], undefined],
          [streamId, [{ ...valid, eventId: 'not-a-uuid' }], 'any'],
          [streamId, [{ ...valid, type: '' }], 'any'],
          [streamId, [{ ...valid, schemaVersion: 0 }], 'any'],
          [streamId, [{ ...valid, data: [1, 2] }], 'any'],
          [streamId, [{ ...valid, metadata: undefined }], 'any'],
          [streamId, [{ ...valid, metadata: { ...valid.metadata, tenant: 7 } }], 'any'],
          [streamId, [valid, { ...callEvent(), eventId: valid.eventId }], 'any'],
        ];
        for (const [stream, events, expectedVersion] of invalid) {
          const error = await store
            .appendToStream(stream, events as NewEvent[], {
              expectedVersion: expectedVersion as ExpectedVersion,
            })
            .catch((caught: unknown) => caught);
          expect(error, JSON.stringify([stream, expectedVersion])).toBeInstanceOf(InvalidAppendError);
          expect(error).toMatchObject({ code: 'INVALID_APPEND', retryable: false });
        }
        await expect(store.readStream(streamId)).rejects.toBeInstanceOf(StreamNotFoundError);
      });

      it('refuses malformed read options with RangeError', async () => {
        await expect(store.readAll({ maxCount: 0 })).rejects.toBeInstanceOf(RangeError);
        await expect(store.readAll({ maxCount: 10, after: '12.5' as GlobalPosition })).rejects.toBeInstanceOf(
          RangeError,
        );
        await expect(store.readStream(newStreamId(), { fromVersion: 0 })).rejects.toBeInstanceOf(RangeError);
        await expect(store.readStream(newStreamId(), { maxCount: -1 })).rejects.toBeInstanceOf(RangeError);
      });
    });

    describe('read all', () => {
      it('returns events in append order across streams, page by page with after and maxCount', async () => {
        const streams = [newStreamId(), newStreamId(), newStreamId()];
        const appended: string[] = [];
        for (let round = 0; round < 3; round += 1) {
          for (const streamId of streams) {
            const events = round === 1 ? [callEvent(), callEvent()] : [callEvent()];
            await store.appendToStream(streamId, events, { expectedVersion: 'any' });
            appended.push(...events.map((event) => event.eventId));
          }
        }

        const pages = await readOwnPages(store, streams, appended.length, 2);
        expect(pages.every((page) => page.length <= 2)).toBe(true);
        const own = pages.flat().filter((event) => streams.includes(event.streamId));
        expect(own.map((event) => event.eventId)).toEqual(appended);
        for (const streamId of streams) {
          expect(versionsOf(own.filter((event) => event.streamId === streamId))).toEqual([1, 2, 3, 4]);
        }
      });

      it('returns nothing after the last position and only later events after a middle one', async () => {
        const streamId = newStreamId();
        await store.appendToStream(streamId, [callEvent(), callEvent(), callEvent()], {
          expectedVersion: 'any',
        });
        const all = await readOwnEvents(store, [streamId], 3);

        const afterSecond = (await readAllFrom(store, all[1]!.globalPosition)).filter(
          (event) => event.streamId === streamId,
        );
        expect(afterSecond.map((event) => event.streamVersion)).toEqual([3]);
        const afterLast = (await readAllFrom(store, all[2]!.globalPosition)).filter(
          (event) => event.streamId === streamId,
        );
        expect(afterLast).toEqual([]);
      });

      it('reads the same events as readStream', async () => {
        const streamId = newStreamId();
        await store.appendToStream(streamId, [callEvent(), callEvent()], { expectedVersion: 'any' });
        expect(await readOwnEvents(store, [streamId], 2)).toEqual(await store.readStream(streamId));
      });
    });
  });
}

function newStreamId(): string {
  return `call-${randomUUID()}`;
}

function callEvent(type = 'CallRequested'): NewEvent {
  const callId = randomUUID();
  return {
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    data: { callId, from: 'sip:alice@example.test', to: 'sip:+15550100@carrier.test', region: 'eu-west' },
    metadata: {
      occurredAt: new Date().toISOString(),
      causationId: randomUUID(),
      correlationId: callId,
      tenant: 'acme',
      traceparent: '',
    },
  };
}

/** An event whose data + metadata JSON is exactly `sizeBytes` bytes, padded with two-byte characters. */
function sizedEvent(sizeBytes: number): NewEvent {
  const base = callEvent('SdpOffered');
  const overhead =
    Buffer.byteLength(JSON.stringify({ sdp: '' })) + Buffer.byteLength(JSON.stringify(base.metadata));
  const padding = sizeBytes - overhead;
  const sdp = 'é'.repeat(Math.floor(padding / 2)) + 'v'.repeat(padding % 2);
  return { ...base, data: { sdp } };
}

function versionsOf(events: readonly RecordedEvent[]): number[] {
  return events.map((event) => event.streamVersion);
}

function withoutPosition(event: RecordedEvent): Omit<RecordedEvent, 'globalPosition'> {
  const { globalPosition: _position, ...rest } = event;
  return rest;
}

async function readAllFrom(store: EventStore, after: GlobalPosition): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: events.at(-1)?.globalPosition ?? after, maxCount: 500 });
    if (page.length === 0) return events;
    events.push(...page);
  }
}

/**
 * Pages through the whole log until `expectedCount` events of `streamIds` have shown up. A store may hold
 * back recent events while older transactions run (PostgreSQL does, cluster-wide), so it polls.
 * Asserts on the way that positions strictly increase across every page.
 */
async function readOwnPages(
  store: EventStore,
  streamIds: readonly string[],
  expectedCount: number,
  pageSize: number,
): Promise<RecordedEvent[][]> {
  const deadline = Date.now() + 15_000;
  const pages: RecordedEvent[][] = [];
  let after = GLOBAL_POSITION_START;
  let ownCount = 0;
  while (ownCount < expectedCount) {
    const page = await store.readAll({ after, maxCount: pageSize });
    if (page.length === 0) {
      if (Date.now() > deadline)
        throw new Error(`only ${ownCount} of ${expectedCount} events became readable`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    for (const event of page) {
      expect(event.globalPosition > after).toBe(true);
      after = event.globalPosition;
      if (streamIds.includes(event.streamId)) ownCount += 1;
    }
    pages.push([...page]);
  }
  return pages;
}

async function readOwnEvents(
  store: EventStore,
  streamIds: readonly string[],
  expectedCount: number,
): Promise<RecordedEvent[]> {
  const pages = await readOwnPages(store, streamIds, expectedCount, 500);
  return pages.flat().filter((event) => streamIds.includes(event.streamId));
}
