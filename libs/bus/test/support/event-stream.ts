import { randomUUID } from 'node:crypto';
import {
  jetstream,
  type JetStreamClient,
  type JetStreamManager,
  jetstreamManager,
  StorageType,
  type StoredMsg,
} from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { globalPositionOf, type RecordedEvent } from '@ringbus/event-store';
import { encodeEventMessage, EventHeader } from '@ringbus/event-wire';
import { testNatsUrl, uniqueTestName } from '@ringbus/testkit';

/** A JetStream events stream and dead-letter stream of the test's own, as the relay would publish them. */
export interface TestEventStream {
  readonly natsUrl: string;
  readonly connection: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly streamName: string;
  readonly subjectPrefix: string;
  readonly deadLetterStream: string;
  readonly deadLetterSubjectPrefix: string;
  publish(event: RecordedEvent, options?: { messageId?: string }): Promise<number>;
  publishRaw(subject: string, body: string): Promise<number>;
  deadLetters(): Promise<StoredMsg[]>;
  remove(): Promise<void>;
}

export async function createTestEventStream(): Promise<TestEventStream> {
  const { url } = await testNatsUrl();
  const connection = await connect({ servers: url, name: 'bus-test' });
  const jsm = await jetstreamManager(connection);
  const js = jetstream(connection);
  const name = uniqueTestName('bus_events');
  const subjectPrefix = `${name}.ev`;
  const deadLetterStream = `${name}_dlq`.toUpperCase();
  const deadLetterSubjectPrefix = `${name}.dlq`;
  await jsm.streams.add({ name, subjects: [`${subjectPrefix}.>`], storage: StorageType.Memory });
  return {
    natsUrl: url,
    connection,
    js,
    jsm,
    streamName: name,
    subjectPrefix,
    deadLetterStream,
    deadLetterSubjectPrefix,
    async publish(event, options = {}) {
      const message = encodeEventMessage(event, subjectPrefix);
      if (options.messageId !== undefined) message.headers.set(EventHeader.messageId, options.messageId);
      const ack = await js.publish(message.subject, message.body, { headers: message.headers });
      return ack.seq;
    },
    async publishRaw(subject, body) {
      return (await js.publish(subject, body)).seq;
    },
    async deadLetters() {
      const info = await jsm.streams.info(deadLetterStream).catch(() => undefined);
      if (info === undefined) return [];
      const stored: StoredMsg[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
        const message = await jsm.streams.getMessage(deadLetterStream, { seq }).catch(() => null);
        if (message !== null) stored.push(message);
      }
      return stored;
    },
    async remove() {
      await jsm.streams.delete(name).catch(() => undefined);
      await jsm.streams.delete(deadLetterStream).catch(() => undefined);
      await connection.close();
    },
  };
}

let position = 0n;

export function callEvent(
  type: string,
  overrides: Partial<Pick<RecordedEvent, 'streamId' | 'streamVersion' | 'data'>> = {},
): RecordedEvent {
  position += 1n;
  return {
    eventId: randomUUID(),
    streamId: overrides.streamId ?? `call-${randomUUID()}`,
    streamVersion: overrides.streamVersion ?? 1,
    globalPosition: globalPositionOf(1n, position),
    type,
    schemaVersion: 1,
    data: overrides.data ?? {},
    metadata: {
      occurredAt: '2026-11-25T08:00:00.000Z',
      causationId: randomUUID(),
      correlationId: randomUUID(),
      tenant: 'acme',
      traceparent: '',
    },
  };
}

/** Retries `assertion` until it passes or `timeoutMs` runs out (then rethrows its last failure). */
export async function eventually(assertion: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
