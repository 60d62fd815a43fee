import { uniqueTestName } from '@ringbus/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConsumerConfigConflictError,
  DeadLetterStreamMismatchError,
  ensureDurableConsumer,
  EventsStreamNotFoundError,
  type JetStreamEventTransportOptions,
} from '../src/index.js';
import { RecordingLogger, startConsumerService } from './support/consumer-service.js';
import { createTestEventStream, type TestEventStream } from './support/event-stream.js';

describe('JetStreamEventTransport start-up checks', () => {
  let stream: TestEventStream;

  beforeAll(async () => {
    stream = await createTestEventStream();
  });

  afterAll(async () => {
    await stream?.remove();
  });

  function options(overrides: Partial<JetStreamEventTransportOptions> = {}): JetStreamEventTransportOptions {
    return {
      servers: stream.natsUrl,
      streamName: stream.streamName,
      subjectPrefix: stream.subjectPrefix,
      durableName: uniqueTestName('consumer'),
      deadLetter: { stream: stream.deadLetterStream, subjectPrefix: stream.deadLetterSubjectPrefix },
      logger: new RecordingLogger(),
      ...overrides,
    };
  }

  const noop = { handle: async () => undefined };

  it('refuses to start without the events stream, saying the relay creates it', async () => {
    const missing = uniqueTestName('missing_stream');
    await expect(startConsumerService(noop, options({ streamName: missing }))).rejects.toThrow(
      EventsStreamNotFoundError,
    );
  });

  it('refuses to reuse a durable name for a different subscription', async () => {
    const durableName = uniqueTestName('consumer');
    await ensureDurableConsumer(stream.jsm, {
      stream: stream.streamName,
      durableName,
      filterSubject: `${stream.subjectPrefix}.acme.>`,
      ackWaitMs: 30_000,
    });
    const starting = startConsumerService(
      noop,
      options({ durableName, filterSubject: `${stream.subjectPrefix}.globex.>` }),
    );
    await expect(starting).rejects.toThrow(ConsumerConfigConflictError);
    await expect(starting).rejects.toThrow(/pick a new durable name/);
  });

  it('refuses a dead-letter stream that would not capture its dead letters', async () => {
    const deadLetterStream = uniqueTestName('other_dlq').toUpperCase();
    const otherPrefix = `${stream.deadLetterSubjectPrefix}_other`;
    await stream.jsm.streams.add({ name: deadLetterStream, subjects: [`${otherPrefix}.>`] });
    try {
      await expect(
        startConsumerService(
          noop,
          options({ deadLetter: { stream: deadLetterStream, subjectPrefix: 'elsewhere.dlq' } }),
        ),
      ).rejects.toThrow(DeadLetterStreamMismatchError);
    } finally {
      await stream.jsm.streams.delete(deadLetterStream);
    }
  });

  it('brings an existing consumer to the transport settings', async () => {
    const durableName = uniqueTestName('consumer');
    await ensureDurableConsumer(stream.jsm, {
      stream: stream.streamName,
      durableName,
      filterSubject: `${stream.subjectPrefix}.>`,
      ackWaitMs: 30_000,
    });
    const app = await startConsumerService(noop, options({ durableName, ackWaitMs: 7_000 }));
    try {
      const info = await stream.jsm.consumers.info(stream.streamName, durableName);
      expect(info.config.ack_wait).toBe(7_000_000_000);
      expect(info.config.max_ack_pending).toBe(1);
    } finally {
      await app.close();
    }
  });
});
