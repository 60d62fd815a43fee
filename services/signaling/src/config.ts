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
  /** The tenant of the plain `/api/v1` (and its sign-in); other tenants use `/tenant/<tenant>/api/v1`. */
  DEFAULT_TENANT: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, `.`, `_` or `-`')
    .default('default'),
  /** How long a session token from POST /session lives. */
  SESSION_TTL_HOURS: wholeNumber(1, 24 * 365).default(24 * 30),
  /** Wrong passwords per login within the window that lock it, and for how long. */
  SIGNIN_MAX_FAILURES: wholeNumber(1, 1_000).default(5),
  SIGNIN_FAILURE_WINDOW_SECONDS: wholeNumber(1, 86_400).default(900),
  SIGNIN_LOCKOUT_SECONDS: wholeNumber(1, 86_400).default(900),
  /** scrypt's log2(N) of the decoy hash unknown logins are checked against (r = 8, p = 4); match the stored hashes' cost. */
  PASSWORD_SCRYPT_LOG_N: wholeNumber(10, 20).default(15),
  /** REST requests per second per client address, and the burst above that (429 beyond). */
  API_RATE_LIMIT_PER_SECOND: wholeNumber(1, 10_000).default(20),
  API_RATE_LIMIT_BURST: wholeNumber(1, 100_000).default(40),
  /** Sign-in attempts per minute per client address, and the burst (429 beyond). */
  SIGNIN_RATE_LIMIT_PER_MINUTE: wholeNumber(1, 10_000).default(10),
  SIGNIN_RATE_LIMIT_BURST: wholeNumber(1, 10_000).default(10),
  /** Largest REST request body (413 beyond). */
  API_MAX_BODY_BYTES: wholeNumber(256, 1024 * 1024).default(16 * 1024),
  /** push's token command subjects (services/push `PUSH_COMMAND_SUBJECT_PREFIX`). */
  PUSH_COMMAND_SUBJECT_PREFIX: subjectPrefix.default('ringbus.push'),
});

export type SignalingConfig = z.output<typeof signalingConfigSchema>;

export function loadSignalingConfig(
  env: Readonly<Record<string, string | undefined>>,
): Readonly<SignalingConfig> {
  return loadServiceConfig(signalingConfigSchema, env);
}
