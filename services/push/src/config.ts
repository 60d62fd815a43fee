import {
  commonConfigSchema,
  httpPortSchema,
  loadServiceConfig,
  serviceNameSchema,
} from '@ringbus/service-kit';
import { z } from 'zod';

const JETSTREAM_NAME = /^[A-Za-z0-9_-]+$/;
const SUBJECT_PREFIX = /^[^\s.*>]+(\.[^\s.*>]+)*$/;

const jetStreamName = z.string().regex(JETSTREAM_NAME, 'use letters, digits, `_` or `-` only');
const subjectPrefix = z.string().regex(SUBJECT_PREFIX, 'must be dot-separated NATS tokens without wildcards');
const httpsOrLoopbackUrl = z
  .string()
  .url('must be a URL')
  .refine(
    (value) => /^https:\/\//.test(value) || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(value),
    {
      message: 'must be https:// (plain http only on loopback, for tests)',
    },
  );
const positiveInt = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(max, `must be at most ${max}`));
const appleId = z
  .string()
  .regex(/^[A-Z0-9]{10}$/, 'must be the 10-character id Apple shows (upper-case letters, digits)');

export const pushConfigSchema = commonConfigSchema
  .extend({
    SERVICE_NAME: serviceNameSchema.default('push'),
    HTTP_PORT: httpPortSchema.default(8083),
    /** Schema of `push_token` and `push_delivery` (created when missing); default the DATABASE_URL's current schema. */
    PUSH_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case PostgreSQL identifier (letters, digits, `_`)')
      .optional(),
    EVENTS_STREAM_NAME: jetStreamName.default('RINGBUS_EVENTS'),
    EVENTS_SUBJECT_PREFIX: subjectPrefix.default('ringbus.events'),
    /** The durable consumer of `CallOffered`; shared by every push instance. */
    EVENTS_DURABLE_NAME: jetStreamName.default('push-incoming-calls'),
    DEAD_LETTER_STREAM: jetStreamName.default('RINGBUS_DLQ'),
    DEAD_LETTER_SUBJECT_PREFIX: subjectPrefix.default('ringbus.dlq'),
    /** Token commands are `<prefix>.tokens.register` / `<prefix>.tokens.unregister`. */
    PUSH_COMMAND_SUBJECT_PREFIX: subjectPrefix.default('ringbus.push'),

    /** Google service-account key (JSON) with the Firebase Cloud Messaging API: a file, or the JSON itself. */
    FCM_SERVICE_ACCOUNT_FILE: z.string().min(1).optional(),
    FCM_SERVICE_ACCOUNT_JSON: z.string().min(1).optional(),
    /** Default: the service account's `project_id`. */
    FCM_PROJECT_ID: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/, 'must be a Firebase project id')
      .optional(),
    /** Default: the service account's `token_uri`, else https://oauth2.googleapis.com/token. */
    FCM_TOKEN_URL: httpsOrLoopbackUrl.optional(),
    FCM_BASE_URL: httpsOrLoopbackUrl.default('https://fcm.googleapis.com'),

    /** The APNs auth key (.p8, PEM): a file, or the PEM itself. */
    APNS_KEY_FILE: z.string().min(1).optional(),
    APNS_KEY: z.string().min(1).optional(),
    APNS_KEY_ID: appleId.optional(),
    APNS_TEAM_ID: appleId.optional(),
    /** The iOS app's bundle id; VoIP pushes go to `<bundle>.voip`. Tokens may carry their own. */
    APNS_BUNDLE_ID: z
      .string()
      .regex(/^[A-Za-z0-9.-]{1,155}$/, 'must be a bundle id such as com.example.phone')
      .optional(),
    /** https://api.push.apple.com (production) or https://api.sandbox.push.apple.com (development builds). */
    APNS_ORIGIN: z
      .string()
      .regex(/^https:\/\/[^/\s]+$/, 'must be https://host[:port] without a path')
      .default('https://api.push.apple.com'),
    /** Extra CA certificate (PEM file) to trust for APNS_ORIGIN; only for private endpoints and tests. */
    APNS_CA_FILE: z.string().min(1).optional(),

    /** Attempts per push, the first included; 429 and 5xx answers are retried. */
    PUSH_MAX_ATTEMPTS: positiveInt(10).default(4),
    PUSH_RETRY_BASE_MS: positiveInt(60_000).default(500),
    /** Longest single wait; a provider's Retry-After beyond it ends the retries. */
    PUSH_RETRY_MAX_MS: positiveInt(60_000).default(5_000),
    PUSH_REQUEST_TIMEOUT_MS: positiveInt(60_000).default(5_000),
    /** A call offered longer ago is not pushed (nor retried); also the pushes' time-to-live. */
    PUSH_MAX_CALL_AGE_SECONDS: positiveInt(600).default(45),
  })
  .superRefine((config, context) => {
    const both = (a: keyof typeof config, b: keyof typeof config) => {
      if (config[a] !== undefined && config[b] !== undefined) {
        context.addIssue({ code: 'custom', path: [b], message: `give either ${a} or ${b}, not both` });
      }
    };
    both('FCM_SERVICE_ACCOUNT_FILE', 'FCM_SERVICE_ACCOUNT_JSON');
    both('APNS_KEY_FILE', 'APNS_KEY');
    if (config.APNS_KEY_FILE !== undefined || config.APNS_KEY !== undefined) {
      for (const variable of ['APNS_KEY_ID', 'APNS_TEAM_ID', 'APNS_BUNDLE_ID'] as const) {
        if (config[variable] === undefined) {
          context.addIssue({ code: 'custom', path: [variable], message: 'is required with an APNs key' });
        }
      }
    }
  });

export type PushConfig = z.output<typeof pushConfigSchema>;

export function loadPushConfig(env: Readonly<Record<string, string | undefined>>): Readonly<PushConfig> {
  return loadServiceConfig(pushConfigSchema, env);
}
