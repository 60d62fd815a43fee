import {
  instanceIdSchema,
  commonConfigSchema,
  httpPortSchema,
  loadServiceConfig,
  serviceNameSchema,
} from '@ringbus/service-kit';
import { z } from 'zod';

const JETSTREAM_NAME = /^[A-Za-z0-9_-]+$/;
const SUBJECT_PREFIX = /^[^\s.*>]+(\.[^\s.*>]+)*$/;

function wholeNumber(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

const jetStreamName = z.string().regex(JETSTREAM_NAME, 'use letters, digits, `_` or `-` only');
const subjectPrefix = z.string().regex(SUBJECT_PREFIX, 'must be dot-separated NATS tokens without wildcards');

export const signalingConfigSchema = commonConfigSchema.extend({
  SERVICE_NAME: serviceNameSchema.default('signaling'),
  HTTP_PORT: httpPortSchema.default(8080),
  /** Names this instance in logs and in the session-attachment notices other instances receive. */
  INSTANCE_ID: instanceIdSchema('signaling'),
  /** The relay's JetStream stream and subject prefix (see docs/event-relay.md). */
  EVENTS_STREAM_NAME: jetStreamName.default('RINGBUS_EVENTS'),
  EVENTS_SUBJECT_PREFIX: subjectPrefix.default('ringbus.events'),
  /** The durable consumer keeping `signaling_live_call` up to date; shared by every signaling instance. */
  EVENTS_DURABLE_NAME: jetStreamName.default('signaling-live-calls'),
  DEAD_LETTER_STREAM: jetStreamName.default('RINGBUS_DLQ'),
  DEAD_LETTER_SUBJECT_PREFIX: subjectPrefix.default('ringbus.dlq'),
  /** Core NATS subjects on which instances tell each other about attached sockets. */
  SIGNALING_SUBJECT_PREFIX: subjectPrefix.default('ringbus.signaling'),
  /** `keepalive_interval` sent in the state handshake; a socket silent for this + 10 s is closed (4502). */
  KEEPALIVE_INTERVAL_MS: wholeNumber(1_000, 600_000).default(30_000),
  /** Silence allowed beyond the interval before 4502 (the public clients wait 10 s for an echo). */
  KEEPALIVE_GRACE_MS: wholeNumber(100, 600_000).default(10_000),
  /** Largest text frame a softphone may send; larger ones close the socket with 1009. */
  MAX_FRAME_BYTES: wholeNumber(1_024, 16 * 1024 * 1024).default(256 * 1024),
  /** Frames per second a socket may send on average, and the burst above that. */
  RATE_LIMIT_PER_SECOND: wholeNumber(1, 10_000).default(20),
  RATE_LIMIT_BURST: wholeNumber(1, 100_000).default(60),
  /** Refused frames in a row after which a flooding socket is closed (1008). */
  RATE_LIMIT_CLOSE_AFTER: wholeNumber(1, 1_000_000).default(200),
});

export type SignalingConfig = z.output<typeof signalingConfigSchema>;

export function loadSignalingConfig(
  env: Readonly<Record<string, string | undefined>>,
): Readonly<SignalingConfig> {
  return loadServiceConfig(signalingConfigSchema, env);
}
