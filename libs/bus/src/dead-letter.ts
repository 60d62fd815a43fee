import { type JetStreamClient, type JetStreamManager, type JsMsg, StorageType } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';
import { DeadLetterStreamMismatchError } from './errors.js';
import { type HandlerFailure } from './handler-failure.js';
import { isStreamNotFound } from './jetstream-api-errors.js';
import { subjectMatches } from './subject-match.js';

/** Headers a dead letter carries besides the original message's own headers. */
export const DeadLetterHeader = {
  reason: 'Ringbus-Dlq-Reason',
  errorCode: 'Ringbus-Dlq-Error-Code',
  errorMessage: 'Ringbus-Dlq-Error-Message',
  deliveryCount: 'Ringbus-Dlq-Delivery-Count',
  originalSubject: 'Ringbus-Dlq-Original-Subject',
  originalStream: 'Ringbus-Dlq-Original-Stream',
  originalSequence: 'Ringbus-Dlq-Original-Sequence',
  consumer: 'Ringbus-Dlq-Consumer',
  failedAt: 'Ringbus-Dlq-Failed-At',
} as const;

/**
 * Why a message was dead-lettered: its handler kept failing, it could not be decoded, nobody handles its
 * type (with `unhandled: 'dead-letter'`), or it was delivered past its budget without ever reaching a
 * verdict (the process died or hung on every delivery).
 */
export type DeadLetterReason = 'handler_failed' | 'malformed' | 'no_handler' | 'delivery_budget_exhausted';

export interface DeadLetterTarget {
  readonly stream: string;
  readonly subjectPrefix: string;
  readonly subject: string;
}

// Header values travel on one line; long messages are cut so one bad error cannot bloat the stream.
const MAX_HEADER_VALUE_LENGTH = 1_024;

export function headerSafe(value: string): string {
  const oneLine = value.replace(/[\r\n]+/g, ' ');
  return oneLine.length > MAX_HEADER_VALUE_LENGTH
    ? `${oneLine.slice(0, MAX_HEADER_VALUE_LENGTH - 1)}…`
    : oneLine;
}

// Publish-control headers of the original would steer (or wrongly deduplicate) the dead-letter publish.
const isPublishControlHeader = (name: string): boolean => name.toLowerCase().startsWith('nats-');

export interface DeadLetterDetails {
  readonly reason: DeadLetterReason;
  readonly failure: HandlerFailure;
  readonly subject: string;
  readonly stream: string;
  readonly streamSequence: number;
  readonly deliveryCount: number;
  readonly consumer: string;
  readonly failedAt: Date;
}

export function deadLetterHeaders(original: MsgHdrs | undefined, details: DeadLetterDetails): MsgHdrs {
  const headers = natsHeaders();
  for (const name of original?.keys() ?? []) {
    if (isPublishControlHeader(name)) continue;
    for (const value of original?.values(name) ?? []) headers.append(name, value);
  }
  headers.set(DeadLetterHeader.reason, details.reason);
  headers.set(DeadLetterHeader.errorCode, headerSafe(details.failure.code));
  headers.set(DeadLetterHeader.errorMessage, headerSafe(details.failure.message));
  headers.set(DeadLetterHeader.deliveryCount, String(details.deliveryCount));
  headers.set(DeadLetterHeader.originalSubject, details.subject);
  headers.set(DeadLetterHeader.originalStream, details.stream);
  headers.set(DeadLetterHeader.originalSequence, String(details.streamSequence));
  headers.set(DeadLetterHeader.consumer, details.consumer);
  headers.set(DeadLetterHeader.failedAt, details.failedAt.toISOString());
  return headers;
}

/** Creates the dead-letter stream when missing; refuses one that would not capture our subject. */
export async function ensureDeadLetterStream(jsm: JetStreamManager, target: DeadLetterTarget): Promise<void> {
  let subjects: readonly string[];
  try {
    subjects = (await jsm.streams.info(target.stream)).config.subjects ?? [];
  } catch (error) {
    if (!isStreamNotFound(error)) throw error;
    try {
      subjects =
        (
          await jsm.streams.add({
            name: target.stream,
            subjects: [`${target.subjectPrefix}.>`],
            storage: StorageType.File,
            description: 'Ringbus dead letters: events a consumer could not process',
          })
        ).config.subjects ?? [];
    } catch (addError) {
      // Another instance may have created it first; what matters is what exists now.
      const existing = await jsm.streams.info(target.stream).catch(() => undefined);
      if (existing === undefined) throw addError;
      subjects = existing.config.subjects ?? [];
    }
  }
  if (!subjects.some((filter) => subjectMatches(filter, target.subject))) {
    throw new DeadLetterStreamMismatchError(target.stream, target.subject);
  }
}

export async function publishDeadLetter(
  js: JetStreamClient,
  target: DeadLetterTarget,
  msg: JsMsg,
  reason: DeadLetterReason,
  failure: HandlerFailure,
): Promise<void> {
  const details: DeadLetterDetails = {
    reason,
    failure,
    subject: msg.subject,
    stream: msg.info.stream,
    streamSequence: msg.info.streamSequence,
    deliveryCount: msg.info.deliveryCount,
    consumer: msg.info.consumer,
    failedAt: new Date(),
  };
  await js.publish(target.subject, msg.data, {
    headers: deadLetterHeaders(msg.headers, details),
    // Publishing again after a lost `term` must not store a second copy.
    msgID: `${details.consumer}:${details.stream}:${details.streamSequence}`,
  });
}
