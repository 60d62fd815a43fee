import { type LoggerService } from '@nestjs/common';
import { type NatsConnection } from '@nats-io/nats-core';
import {
  DEFAULT_EVENT_SUBJECT_PREFIX,
  DEFAULT_EVENTS_STREAM_NAME,
  allEventsFilter,
} from '@ringbus/event-wire';
import { z } from 'zod';
import { InvalidBusOptionsError } from './errors.js';

export const DEFAULT_DEAD_LETTER_STREAM = 'RINGBUS_DLQ';
export const DEFAULT_DEAD_LETTER_SUBJECT_PREFIX = 'ringbus.dlq';
export const DEFAULT_MAX_DELIVER = 5;
export const DEFAULT_BACKOFF_MS: readonly number[] = [1_000, 5_000, 15_000, 60_000];
export const DEFAULT_ACK_WAIT_MS = 30_000;

export interface JetStreamEventTransportOptions {
  /** NATS servers to connect to; ignored when `connection` is given. Default `nats://127.0.0.1:4222`. */
  readonly servers?: string | readonly string[];
  /** A connection owned by the caller: the transport uses it and never closes it. */
  readonly connection?: NatsConnection;
  /** Client name shown by `nats-server` monitoring; default the durable name. */
  readonly connectionName?: string;
  /** The JetStream stream the relay publishes to. Default `RINGBUS_EVENTS`. */
  readonly streamName?: string;
  /** Subject prefix of stored events. Default `ringbus.events`. */
  readonly subjectPrefix?: string;
  /** The durable consumer: one per service, shared by all its instances. */
  readonly durableName: string;
  /** One subject filter (NATS 2.9 has no `filter_subjects`). Default every event under the prefix. */
  readonly filterSubject?: string;
  /** Deliveries before a failing event is dead-lettered. Default 5. */
  readonly maxDeliver?: number;
  /** Redelivery delay after the n-th failed delivery is `backoffMs[n-1]` (last entry repeats). */
  readonly backoffMs?: readonly number[];
  /** How long the server waits for an ack or a progress signal before redelivering. Default 30 s. */
  readonly ackWaitMs?: number;
  readonly deadLetter?: {
    /** JetStream stream holding dead letters; created when missing. Default `RINGBUS_DLQ`. */
    readonly stream?: string;
    /** Dead letters go to `<subjectPrefix>.<durableName>`. Default `ringbus.dlq`. */
    readonly subjectPrefix?: string;
  };
  /** Events of a type nobody here handles: skip them (`ack`) or keep them for inspection. */
  readonly unhandled?: 'ack' | 'dead-letter';
  /** Queue group of command subscriptions, so instances share commands. Default the durable name. */
  readonly commandQueue?: string;
  readonly logger?: LoggerService;
}

export interface ResolvedTransportOptions {
  readonly servers: readonly string[];
  readonly connection: NatsConnection | undefined;
  readonly connectionName: string;
  readonly streamName: string;
  readonly subjectPrefix: string;
  readonly durableName: string;
  readonly filterSubject: string;
  readonly maxDeliver: number;
  readonly backoffMs: readonly number[];
  readonly ackWaitMs: number;
  readonly deadLetterStream: string;
  readonly deadLetterSubjectPrefix: string;
  readonly deadLetterSubject: string;
  readonly unhandled: 'ack' | 'dead-letter';
  readonly commandQueue: string;
  readonly logger: LoggerService | undefined;
}

// JetStream stream and consumer names become subject tokens of the JetStream API.
const jetStreamName = z.string().regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, `_` or `-` only');
const subject = z
  .string()
  .regex(/^[^\s]+$/, 'a NATS subject has no whitespace')
  .min(1);
const literalSubject = subject.regex(/^[^*>]+$/, 'wildcards are not allowed here');

const optionsSchema = z.object({
  servers: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  connection: z
    .custom<NatsConnection>(
      (v) => typeof v === 'object' && v !== null && 'request' in v && 'subscribe' in v,
      {
        message: 'expected a NatsConnection from @nats-io/transport-node',
      },
    )
    .optional(),
  connectionName: z.string().min(1).optional(),
  streamName: jetStreamName.optional(),
  subjectPrefix: literalSubject.optional(),
  durableName: jetStreamName,
  filterSubject: subject.optional(),
  maxDeliver: z.number().int().min(1).optional(),
  backoffMs: z.array(z.number().int().min(0)).min(1).optional(),
  ackWaitMs: z.number().int().min(1_000).optional(),
  deadLetter: z
    .object({ stream: jetStreamName.optional(), subjectPrefix: literalSubject.optional() })
    .optional(),
  unhandled: z.enum(['ack', 'dead-letter']).optional(),
  commandQueue: z
    .string()
    .regex(/^[^\s*>]+$/, 'a queue group has no whitespace or wildcards')
    .optional(),
  logger: z
    .custom<LoggerService>((v) => typeof v === 'object' && v !== null && 'log' in v && 'error' in v, {
      message: 'expected a Nest LoggerService',
    })
    .optional(),
});

/** Defaults every option and validates them at the edge, naming the first bad option. */
export function resolveTransportOptions(options: JetStreamEventTransportOptions): ResolvedTransportOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidBusOptionsError(issue?.path.join('.') || '(options)', issue?.message ?? 'invalid');
  }
  const o = parsed.data;
  const subjectPrefix = o.subjectPrefix ?? DEFAULT_EVENT_SUBJECT_PREFIX;
  const deadLetterSubjectPrefix = o.deadLetter?.subjectPrefix ?? DEFAULT_DEAD_LETTER_SUBJECT_PREFIX;
  return Object.freeze({
    servers:
      o.servers === undefined
        ? ['nats://127.0.0.1:4222']
        : typeof o.servers === 'string'
          ? [o.servers]
          : o.servers,
    connection: options.connection,
    connectionName: o.connectionName ?? o.durableName,
    streamName: o.streamName ?? DEFAULT_EVENTS_STREAM_NAME,
    subjectPrefix,
    durableName: o.durableName,
    filterSubject: o.filterSubject ?? allEventsFilter(subjectPrefix),
    maxDeliver: o.maxDeliver ?? DEFAULT_MAX_DELIVER,
    backoffMs: Object.freeze([...(o.backoffMs ?? DEFAULT_BACKOFF_MS)]),
    ackWaitMs: o.ackWaitMs ?? DEFAULT_ACK_WAIT_MS,
    deadLetterStream: o.deadLetter?.stream ?? DEFAULT_DEAD_LETTER_STREAM,
    deadLetterSubjectPrefix,
    deadLetterSubject: `${deadLetterSubjectPrefix}.${o.durableName}`,
    unhandled: o.unhandled ?? 'ack',
    commandQueue: o.commandQueue ?? o.durableName,
    logger: options.logger,
  });
}
