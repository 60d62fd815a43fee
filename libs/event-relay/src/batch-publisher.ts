import { JetStreamApiCodes, JetStreamApiError, type JetStreamClient, type PubAck } from '@nats-io/jetstream';
import { type GlobalPosition, type RecordedEvent } from '@ringbus/event-store';
import { encodeEventMessage } from '@ringbus/event-wire';
import { type EventRelayError, PublishFailedError, StreamSequenceConflictError } from './errors.js';

export interface BatchOutcome {
  /** How many of the batch's leading events are now on the stream, in order. */
  readonly relayed: number;
  /** Position of the last of those; undefined when none. */
  readonly lastPosition: GlobalPosition | undefined;
  /** The stream's last sequence as far as this relay's acks tell. */
  readonly lastSequence: number;
  /** Of the relayed events, those JetStream already held (put there by a second relay, or earlier). */
  readonly duplicates: number;
  /** Why the batch stopped early; the relay then backs off and re-reads the stream's tail. */
  readonly failure: EventRelayError | undefined;
}

/**
 * Reads the acks of a pipelined batch in order. Message i was sent expecting the stream to end at
 * `baseSequence + i`, so JetStream stores it only directly behind message i-1's place: an ack at exactly
 * `baseSequence + i + 1` (fresh, or a duplicate that another relay put right there) proves events 0..i sit
 * on the stream in store order. The first other answer ends what this batch can vouch for.
 */
export function interpretBatchAcks(
  streamName: string,
  baseSequence: number,
  events: readonly RecordedEvent[],
  results: readonly PromiseSettledResult<PubAck>[],
): BatchOutcome {
  let relayed = 0;
  let lastSequence = baseSequence;
  let lastPosition: GlobalPosition | undefined;
  let duplicates = 0;
  let failure: EventRelayError | undefined;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as RecordedEvent;
    const result = results[i];
    const expectedSequence = lastSequence + 1;
    if (result === undefined) {
      failure = new PublishFailedError(event.eventId, { cause: new Error('no publish result') });
      break;
    }
    if (result.status === 'rejected') {
      failure = describeRejection(streamName, lastSequence, event, result.reason);
      break;
    }
    const ack = result.value;
    if (ack.seq === expectedSequence) {
      if (ack.duplicate) duplicates++;
      relayed++;
      lastSequence = expectedSequence;
      lastPosition = event.globalPosition;
      continue;
    }
    if (ack.duplicate && ack.seq < expectedSequence) {
      // JetStream already holds this event earlier in the stream (a resume point behind the stream, e.g.
      // after messages were deleted or the stream purged): it is relayed, and storing it again would put it
      // on the stream twice. A duplicate writes nothing, so the stream still ends at `lastSequence`; the
      // next message, sent expecting one more, is either another such duplicate or refused.
      duplicates++;
      relayed++;
      lastPosition = event.globalPosition;
      continue;
    }
    failure = new StreamSequenceConflictError(streamName, lastSequence, {
      cause: new Error(`event ${event.eventId} landed at sequence ${ack.seq}, expected ${expectedSequence}`),
    });
    break;
  }
  return { relayed, lastPosition, lastSequence, duplicates, failure };
}

function describeRejection(
  streamName: string,
  expectedLastSequence: number,
  event: RecordedEvent,
  reason: unknown,
): EventRelayError {
  if (
    reason instanceof JetStreamApiError &&
    (reason.code === JetStreamApiCodes.StreamWrongLastSequence ||
      reason.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  ) {
    return new StreamSequenceConflictError(streamName, expectedLastSequence, { cause: reason });
  }
  return new PublishFailedError(event.eventId, { cause: reason });
}

export interface BatchPublishTarget {
  readonly js: JetStreamClient;
  readonly streamName: string;
  readonly subjectPrefix: string;
  readonly publishTimeoutMs: number;
}

/**
 * Sends the whole batch without waiting between messages (one connection keeps them in order, and the
 * expected-last-sequence header keeps anyone else's writes from slipping in between), then awaits all acks.
 */
export async function publishBatch(
  target: BatchPublishTarget,
  baseSequence: number,
  events: readonly RecordedEvent[],
): Promise<BatchOutcome> {
  const pending = events.map((event, i) => {
    const message = encodeEventMessage(event, target.subjectPrefix);
    return target.js.publish(message.subject, message.body, {
      headers: message.headers,
      expect: { lastSequence: baseSequence + i, streamName: target.streamName },
      timeout: target.publishTimeoutMs,
    });
  });
  const results = await Promise.allSettled(pending);
  return interpretBatchAcks(target.streamName, baseSequence, events, results);
}
