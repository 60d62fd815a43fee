import { type INestMicroservice } from '@nestjs/common';
import { type RecordedEvent } from '@ringbus/event-store';
import { createTestSchema, type TestSchema, uniqueTestName } from '@ringbus/testkit';
import { Kysely, PostgresDialect } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DeadLetterHeader,
  ensureDurableConsumer,
  type JetStreamEventContext,
  type JetStreamEventTransportOptions,
  migrateBusSchema,
  runIdempotentEffect,
} from '../src/index.js';
import { type EventScenario, RecordingLogger, startConsumerService } from './support/consumer-service.js';
import {
  callEvent,
  createTestEventStream,
  eventually,
  sleep,
  type TestEventStream,
} from './support/event-stream.js';

interface CdrTable {
  cdr: { call_id: string; event_id: string };
}

describe('JetStreamEventTransport against NATS and PostgreSQL', () => {
  let stream: TestEventStream;
  let database: TestSchema;
  let db: Kysely<CdrTable>;
  const apps: INestMicroservice[] = [];

  beforeAll(async () => {
    stream = await createTestEventStream();
    database = await createTestSchema('bus_transport');
    await migrateBusSchema(database.pool);
    await database.pool.query('CREATE TABLE cdr (call_id text PRIMARY KEY, event_id text NOT NULL)');
    db = new Kysely<CdrTable>({ dialect: new PostgresDialect({ pool: database.pool }) });
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  afterAll(async () => {
    await stream?.remove();
    await database?.drop();
  });

  /** Each test gets its own durable consumer on the shared test stream, filtered to its own tenant. */
  function transportOptions(
    overrides: Partial<JetStreamEventTransportOptions> = {},
  ): JetStreamEventTransportOptions {
    return {
      servers: stream.natsUrl,
      streamName: stream.streamName,
      subjectPrefix: stream.subjectPrefix,
      durableName: uniqueTestName('consumer'),
      maxDeliver: 3,
      backoffMs: [100, 200],
      ackWaitMs: 2_000,
      deadLetter: { stream: stream.deadLetterStream, subjectPrefix: stream.deadLetterSubjectPrefix },
      logger: new RecordingLogger(),
      ...overrides,
    };
  }

  async function start(
    scenario: EventScenario,
    options: JetStreamEventTransportOptions,
  ): Promise<INestMicroservice> {
    const app = await startConsumerService(scenario, options);
    apps.push(app);
    return app;
  }

  /** Events of one test: a tenant of its own, so other tests' durables (filtered by tenant) never see them. */
  function tenantEvents(): { filter: string; event: (type: string) => RecordedEvent } {
    const tenant = uniqueTestName('tenant');
    return {
      filter: `${stream.subjectPrefix}.${tenant}.>`,
      event: (type) => {
        const event = callEvent(type);
        return { ...event, metadata: { ...event.metadata, tenant } };
      },
    };
  }

  async function deadLettersOf(durableName: string) {
    const subject = `${stream.deadLetterSubjectPrefix}.${durableName}`;
    return (await stream.deadLetters()).filter((message) => message.subject === subject);
  }

  it('hands each event to the handler of its type, in stream order', async () => {
    const { filter, event } = tenantEvents();
    const seen: string[] = [];
    await start(
      { handle: async (e) => void seen.push(e.eventId) },
      transportOptions({ filterSubject: filter }),
    );
    const published = ['CallRequested', 'CallEnded', 'CallRequested', 'CallEnded', 'CallRequested'].map(
      event,
    );
    for (const e of published) await stream.publish(e);

    await eventually(() => expect(seen).toEqual(published.map((e) => e.eventId)));
  });

  it('acks only after the effect commits: two failures, then the effect applies once, and order holds', async () => {
    const { filter, event } = tenantEvents();
    const options = transportOptions({ filterSubject: filter });
    const failing = event('CallEnded');
    const next = event('CallEnded');
    const attempts: { eventId: string; count: number; at: number }[] = [];
    const outcomes: string[] = [];
    await start(
      {
        async handle(e, context: JetStreamEventContext) {
          const count = context.getDeliveryCount();
          attempts.push({ eventId: e.eventId, count, at: Date.now() });
          if (e.eventId !== failing.eventId) return;
          let failAfterCommit = false;
          const outcome = await runIdempotentEffect(db, options.durableName, e.eventId, async (trx) => {
            await trx.insertInto('cdr').values({ call_id: e.streamId, event_id: e.eventId }).execute();
            // First delivery: the effect's own transaction fails; nothing of it may remain.
            if (count === 1) throw new Error('billing system refused the CDR');
            failAfterCommit = count === 2;
          });
          outcomes.push(outcome);
          // Second delivery: the effect committed, then the process "dies" before the ack.
          if (failAfterCommit) throw new Error('crashed after commit, before ack');
        },
      },
      options,
    );
    await stream.publish(failing);
    await stream.publish(next);

    await eventually(() => expect(attempts.map((a) => a.eventId)).toContain(next.eventId));
    expect(attempts.map((a) => [a.eventId === failing.eventId ? 'failing' : 'next', a.count])).toEqual([
      ['failing', 1],
      ['failing', 2],
      ['failing', 3],
      ['next', 1],
    ]);
    expect(outcomes).toEqual(['applied', 'duplicate']);
    const rows = await db.selectFrom('cdr').selectAll().where('call_id', '=', failing.streamId).execute();
    expect(rows).toEqual([{ call_id: failing.streamId, event_id: failing.eventId }]);
    // Redelivered after the backoff for its delivery count: 100 ms, then 200 ms.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(90);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(180);
  });

  it('dead-letters an event whose handler always fails after maxDeliver deliveries, then keeps going', async () => {
    const { filter, event } = tenantEvents();
    const options = transportOptions({ filterSubject: filter });
    const poison = event('CallEnded');
    const later = event('CallRequested');
    const attempts: number[] = [];
    const handled: string[] = [];
    await start(
      {
        async handle(e, context) {
          if (e.eventId === poison.eventId) {
            attempts.push(context.getDeliveryCount());
            throw Object.assign(new Error('CDR for unknown line'), {
              code: 'UNKNOWN_LINE',
              retryable: false,
            });
          }
          handled.push(e.eventId);
        },
      },
      options,
    );
    const poisonSequence = await stream.publish(poison);
    await stream.publish(later);

    await eventually(() => expect(handled).toEqual([later.eventId]));
    expect(attempts).toEqual([1, 2, 3]);
    const [deadLetter, ...others] = await deadLettersOf(options.durableName);
    expect(others).toHaveLength(0);
    expect(deadLetter!.header.get(DeadLetterHeader.reason)).toBe('handler_failed');
    expect(deadLetter!.header.get(DeadLetterHeader.errorCode)).toBe('UNKNOWN_LINE');
    expect(deadLetter!.header.get(DeadLetterHeader.errorMessage)).toBe('CDR for unknown line');
    expect(deadLetter!.header.get(DeadLetterHeader.deliveryCount)).toBe('3');
    expect(deadLetter!.header.get(DeadLetterHeader.originalSequence)).toBe(String(poisonSequence));
    expect(deadLetter!.header.get(DeadLetterHeader.originalSubject)).toMatch(/\.CallEnded$/);
    expect(deadLetter!.header.get('Ringbus-Event-Type')).toBe('CallEnded');
    expect(deadLetter!.json<RecordedEvent>()).toEqual(poison);
    // Terminated, not left pending: nothing is waiting for an ack.
    const info = await stream.jsm.consumers.info(stream.streamName, options.durableName);
    expect(info.num_ack_pending).toBe(0);
  });

  it('dead-letters a malformed message at once, without calling any handler', async () => {
    const { filter, event } = tenantEvents();
    const options = transportOptions({ filterSubject: filter });
    const handled: string[] = [];
    await start({ handle: async (e) => void handled.push(e.eventId) }, options);
    const tenant = filter.split('.').at(-2)!;
    await stream.publishRaw(`${stream.subjectPrefix}.${tenant}.call.call-x.CallEnded`, 'not json at all');
    const after = event('CallEnded');
    await stream.publish(after);

    await eventually(() => expect(handled).toEqual([after.eventId]));
    const deadLetters = await deadLettersOf(options.durableName);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]!.header.get(DeadLetterHeader.reason)).toBe('malformed');
    expect(deadLetters[0]!.header.get(DeadLetterHeader.errorCode)).toBe('MALFORMED_EVENT_MESSAGE');
    expect(deadLetters[0]!.header.get(DeadLetterHeader.deliveryCount)).toBe('1');
    expect(deadLetters[0]!.string()).toBe('not json at all');
  });

  it('applies the effect once when the same event arrives twice under different message ids', async () => {
    const { filter, event } = tenantEvents();
    const options = transportOptions({ filterSubject: filter });
    const outcomes: string[] = [];
    await start(
      {
        async handle(e) {
          outcomes.push(
            await runIdempotentEffect(db, options.durableName, e.eventId, async (trx) => {
              await trx.insertInto('cdr').values({ call_id: e.streamId, event_id: e.eventId }).execute();
            }),
          );
        },
      },
      options,
    );
    const ended = event('CallEnded');
    await stream.publish(ended, { messageId: `${ended.eventId}-first` });
    await stream.publish(ended, { messageId: `${ended.eventId}-again` });

    await eventually(() => expect(outcomes).toEqual(['applied', 'duplicate']));
    const rows = await db.selectFrom('cdr').selectAll().where('call_id', '=', ended.streamId).execute();
    expect(rows).toHaveLength(1);
  });

  it('resumes from the durable consumer after a restart without redelivering acked events', async () => {
    const { filter, event } = tenantEvents();
    const options = transportOptions({ filterSubject: filter });
    const firstRun: string[] = [];
    const first = await startConsumerService({ handle: async (e) => void firstRun.push(e.eventId) }, options);
    const before = [event('CallRequested'), event('CallEnded'), event('CallRequested')];
    for (const e of before) await stream.publish(e);
    await eventually(() => expect(firstRun).toHaveLength(3));
    await first.close();

    const whileDown = [event('CallEnded'), event('CallRequested')];
    for (const e of whileDown) await stream.publish(e);
    const secondRun: string[] = [];
    const startedAt = Date.now();
    await start({ handle: async (e) => void secondRun.push(e.eventId) }, options);

    await eventually(() => expect(secondRun).toEqual(whileDown.map((e) => e.eventId)));
    // Picked up at once, not after an ack timeout of a message lost in the shutdown.
    expect(Date.now() - startedAt).toBeLessThan(options.ackWaitMs!);
    await sleep(300);
    expect(secondRun).toEqual(whileDown.map((e) => e.eventId));
    expect(firstRun).toEqual(before.map((e) => e.eventId));
  });

  it('finishes and acks the in-flight event when closed', async () => {
    const { filter, event } = tenantEvents();
    const options = transportOptions({ filterSubject: filter });
    let started = false;
    let finished = false;
    const app = await startConsumerService(
      {
        async handle() {
          started = true;
          await sleep(500);
          finished = true;
        },
      },
      options,
    );
    const sequence = await stream.publish(event('CallEnded'));
    await eventually(() => expect(started).toBe(true));

    await app.close();

    expect(finished).toBe(true);
    const info = await stream.jsm.consumers.info(stream.streamName, options.durableName);
    expect(info.ack_floor.stream_seq).toBe(sequence);
    expect(info.num_ack_pending).toBe(0);
  });

  it('leaves nothing ack-pending when closed mid-stream: the next instance gets the next event at once', async () => {
    const { filter, event } = tenantEvents();
    const options = transportOptions({ filterSubject: filter, ackWaitMs: 30_000 });
    const firstRun: string[] = [];
    let started = false;
    const first = await startConsumerService(
      {
        async handle(e) {
          started = true;
          await sleep(400);
          firstRun.push(e.eventId);
        },
      },
      options,
    );
    const events = [event('CallEnded'), event('CallEnded'), event('CallEnded')];
    for (const e of events) await stream.publish(e);
    await eventually(() => expect(started).toBe(true));

    // The server hands the next event over as soon as the in-flight one is acked, mid-close.
    await first.close();
    const info = await stream.jsm.consumers.info(stream.streamName, options.durableName);
    expect(info.num_ack_pending).toBe(0);

    const secondRun: string[] = [];
    const startedAt = Date.now();
    await start({ handle: async (e) => void secondRun.push(e.eventId) }, options);
    await eventually(() => expect([...firstRun, ...secondRun]).toEqual(events.map((e) => e.eventId)));
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('strands no event that reaches a closing instance: the next instance gets it at once', async () => {
    const { filter, event } = tenantEvents();
    const options = transportOptions({ filterSubject: filter, ackWaitMs: 30_000 });
    const published: string[] = [];
    const handled: string[] = [];
    const slowHandler: EventScenario = {
      async handle(e) {
        await sleep(150);
        handled.push(e.eventId);
      },
    };
    // Close as the event arrives, while it is pulled, while its handler runs, or just as it is acked: the
    // server may hand an event to a pull the closing instance is cutting short, which then drops it and
    // leaves it ack-pending for ack_wait (30 s here), the whole consumer stalled behind it.
    for (const closeAfterMs of [0, 0, 0, 1, 2, 5, 60, 150, 160]) {
      const startedAt = Date.now();
      const app = await startConsumerService(slowHandler, options);
      await eventually(() => expect(handled).toEqual(published), 5_000);
      expect(Date.now() - startedAt, `after a close ${closeAfterMs} ms after publishing`).toBeLessThan(2_000);

      const next = event('CallEnded');
      published.push(next.eventId);
      const publishing = stream.publish(next);
      if (closeAfterMs > 0) await sleep(closeAfterMs);
      await app.close();
      await publishing;

      const info = await stream.jsm.consumers.info(stream.streamName, options.durableName);
      // A message handed back with a nak stays counted as ack-pending (NATS 2.9) until it is redelivered,
      // at once, to the next pull; one the closing instance handled must be settled.
      if (handled.includes(next.eventId)) expect(info.num_ack_pending).toBe(0);
      else expect(info.num_ack_pending).toBeLessThanOrEqual(1);
    }
    const startedAt = Date.now();
    await start({ handle: async (e) => void handled.push(e.eventId) }, options);
    await eventually(() => expect(handled).toEqual(published), 5_000);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    const info = await stream.jsm.consumers.info(stream.streamName, options.durableName);
    expect(info.num_ack_pending).toBe(0);
  });

  it('keeps a handler slower than ack_wait from being redelivered while it works', async () => {
    const { filter, event } = tenantEvents();
    const options = transportOptions({ filterSubject: filter, ackWaitMs: 1_000 });
    const deliveries: number[] = [];
    await start(
      {
        async handle(_, context) {
          deliveries.push(context.getDeliveryCount());
          await sleep(2_500);
        },
      },
      options,
    );
    await stream.publish(event('CallEnded'));

    await eventually(() => expect(deliveries).toEqual([1]));
    await eventually(async () => {
      const info = await stream.jsm.consumers.info(stream.streamName, options.durableName);
      expect(info.num_ack_pending).toBe(0);
    });
    expect(deliveries).toEqual([1]);
  });

  it('acks event types nobody handles, or dead-letters them when told to', async () => {
    const skipping = tenantEvents();
    const skippingOptions = transportOptions({ filterSubject: skipping.filter });
    const handled: string[] = [];
    await start({ handle: async (e) => void handled.push(e.type) }, skippingOptions);
    await stream.publish(skipping.event('SipInviteSent'));
    await stream.publish(skipping.event('CallEnded'));
    await eventually(() => expect(handled).toEqual(['CallEnded']));
    expect(await deadLettersOf(skippingOptions.durableName)).toHaveLength(0);

    const keeping = tenantEvents();
    const keepingOptions = transportOptions({ filterSubject: keeping.filter, unhandled: 'dead-letter' });
    await start({ handle: async () => undefined }, keepingOptions);
    await stream.publish(keeping.event('SipInviteSent'));
    await eventually(async () => expect(await deadLettersOf(keepingOptions.durableName)).toHaveLength(1));
    const [deadLetter] = await deadLettersOf(keepingOptions.durableName);
    expect(deadLetter!.header.get(DeadLetterHeader.reason)).toBe('no_handler');
  });

  it('dead-letters, without running it again, an event that used up its deliveries without a verdict', async () => {
    const { filter, event } = tenantEvents();
    const options = transportOptions({ filterSubject: filter });
    await ensureDurableConsumer(stream.jsm, {
      stream: stream.streamName,
      durableName: options.durableName,
      filterSubject: filter,
      ackWaitMs: options.ackWaitMs!,
    });
    const doomed = event('CallEnded');
    await stream.publish(doomed);
    // Instances that died mid-handler, maxDeliver times: each delivery ended without ack or failure.
    const consumer = await stream.js.consumers.get(stream.streamName, options.durableName);
    for (let delivery = 1; delivery <= options.maxDeliver!; delivery++) {
      const msg = await consumer.next({ expires: 2_000 });
      expect(msg?.info.deliveryCount).toBe(delivery);
      msg!.nak();
    }
    const handled: string[] = [];
    await start({ handle: async (e) => void handled.push(e.eventId) }, options);

    await eventually(async () => expect(await deadLettersOf(options.durableName)).toHaveLength(1));
    const [deadLetter] = await deadLettersOf(options.durableName);
    expect(deadLetter!.header.get(DeadLetterHeader.reason)).toBe('delivery_budget_exhausted');
    expect(deadLetter!.header.get(DeadLetterHeader.deliveryCount)).toBe(String(options.maxDeliver! + 1));
    expect(handled).toEqual([]);
  });
});
