import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/nats-core';
import {
  type EventStore,
  type GlobalPosition,
  type NewEvent,
  type RecordedEvent,
} from '@ringbus/event-store';
import { decodeEventMessage, EventHeader } from '@ringbus/event-wire';

export const TENANTS = ['acme', 'globex', 'initech'] as const;
const CALL_TYPES = ['CallRequested', 'SipInviteSent', 'Ringing', 'Answered', 'Hangup'] as const;

export function callEvent(tenant: string, type: string, callId: string): NewEvent {
  return {
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    data: { callId, note: 'x'.repeat(120) },
    metadata: {
      occurredAt: new Date().toISOString(),
      causationId: randomUUID(),
      correlationId: callId,
      tenant,
      traceparent: '',
    },
  };
}

/**
 * Appends `streams * eventsPerStream` call events, `perAppend` at a time, with `concurrency` appends in
 * flight: many streams written at once, as the services do.
 */
export async function appendCalls(
  store: EventStore,
  options: { streams: number; eventsPerStream: number; perAppend?: number; concurrency?: number },
): Promise<void> {
  const perAppend = options.perAppend ?? 5;
  const work: (() => Promise<unknown>)[] = [];
  for (let s = 0; s < options.streams; s++) {
    const callId = randomUUID();
    const tenant = TENANTS[s % TENANTS.length] as string;
    const streamId = `call-${callId}`;
    // One stream's appends run in order; different streams interleave.
    work.push(async () => {
      for (let version = 0; version < options.eventsPerStream; version += perAppend) {
        const count = Math.min(perAppend, options.eventsPerStream - version);
        const events = Array.from({ length: count }, (_, i) =>
          callEvent(tenant, CALL_TYPES[(version + i) % CALL_TYPES.length] as string, callId),
        );
        await store.appendToStream(streamId, events, { expectedVersion: version });
      }
    });
  }
  const concurrency = options.concurrency ?? 8;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < work.length) {
        const job = work[next++] as () => Promise<unknown>;
        await job();
      }
    }),
  );
}

export async function readWholeStore(store: EventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  let after: GlobalPosition | undefined;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 5_000 });
    if (page.length === 0) return all;
    all.push(...page);
    after = page[page.length - 1]?.globalPosition;
  }
}

export interface RelayedMessage {
  readonly seq: number;
  readonly subject: string;
  readonly messageId: string;
  readonly position: string;
  readonly event: RecordedEvent;
}

/** Every message in the JetStream stream, in stream order, read with an ordered consumer. */
export async function readWholeStream(nc: NatsConnection, streamName: string): Promise<RelayedMessage[]> {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(streamName);
  const messages: RelayedMessage[] = [];
  if (state.messages === 0) return messages;
  const consumer = await jetstream(nc).consumers.get(streamName);
  const iterator = await consumer.consume({ max_messages: 1_000 });
  for await (const message of iterator) {
    messages.push({
      seq: message.seq,
      subject: message.subject,
      messageId: message.headers?.get(EventHeader.messageId) ?? '',
      position: message.headers?.get(EventHeader.globalPosition) ?? '',
      event: decodeEventMessage(message.subject, message.data),
    });
    if (message.seq >= state.last_seq) break;
  }
  await iterator.close();
  return messages;
}

export async function streamMessageCount(nc: NatsConnection, streamName: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info(streamName)).state.messages;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

/**
 * The stream must hold exactly the store's events: same ids, same positions, same order, each once,
 * gap-free sequences, and subjects that name tenant, category, stream and type.
 */
export function describeMismatch(
  stored: readonly RecordedEvent[],
  relayed: readonly RelayedMessage[],
  subjectPrefix: string,
): string | undefined {
  const problems: string[] = [];
  // Identity comes from the decoded body, so a message that lost its headers still counts.
  const seenIds = new Set<string>();
  const doubled: string[] = [];
  for (const message of relayed) {
    if (seenIds.has(message.event.eventId)) doubled.push(message.event.eventId);
    seenIds.add(message.event.eventId);
  }
  if (doubled.length > 0)
    problems.push(`${doubled.length} events are on the stream twice, first ${doubled[0]}`);
  const withoutMessageId = relayed.filter((message) => message.messageId !== message.event.eventId);
  if (withoutMessageId.length > 0)
    problems.push(`${withoutMessageId.length} messages lack Nats-Msg-Id = event id`);
  const storedIds = new Set(stored.map((event) => event.eventId));
  const missing = stored.filter((event) => !seenIds.has(event.eventId));
  if (missing.length > 0)
    problems.push(`${missing.length} stored events are missing, first ${missing[0]?.eventId}`);
  const foreign = relayed.filter((message) => !storedIds.has(message.event.eventId));
  if (foreign.length > 0) problems.push(`${foreign.length} messages are not stored events`);
  if (stored.length !== relayed.length)
    problems.push(`store has ${stored.length} events, stream ${relayed.length}`);
  for (let i = 0; i < Math.min(stored.length, relayed.length); i++) {
    const event = stored[i] as RecordedEvent;
    const message = relayed[i] as RelayedMessage;
    if (message.event.eventId !== event.eventId || message.position !== event.globalPosition) {
      problems.push(
        `order differs at index ${i}: stream has ${message.position}, store ${event.globalPosition}`,
      );
      break;
    }
    const expectedSubject = `${subjectPrefix}.${event.metadata.tenant}.call.${event.streamId}.${event.type}`;
    if (message.subject !== expectedSubject) {
      problems.push(`subject at index ${i} is ${message.subject}, expected ${expectedSubject}`);
      break;
    }
    if (
      message.event.globalPosition !== event.globalPosition ||
      message.event.streamVersion !== event.streamVersion
    ) {
      problems.push(`body at index ${i} does not decode to the stored event`);
      break;
    }
  }
  for (let i = 1; i < relayed.length; i++) {
    if ((relayed[i] as RelayedMessage).seq !== (relayed[i - 1] as RelayedMessage).seq + 1) {
      problems.push(`stream sequence jumps at index ${i}`);
      break;
    }
  }
  return problems.length === 0 ? undefined : problems.join('\n');
}
