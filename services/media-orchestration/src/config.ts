import { type RegisteredAccount } from './app/ports.js';
import {
  instanceIdSchema,
  commonConfigSchema,
  httpPortSchema,
  loadServiceConfig,
  serviceNameSchema,
} from '@ringbus/service-kit';
import { z } from 'zod';
import { CALLER_PLACEHOLDER, NUMBER_PLACEHOLDER } from './domain/sip-target.js';

/** One Janus gateway of the pool (an entry of JANUS_GATEWAYS). */
const janusGatewaySchema = z.object({
  /** Stable name, recorded in call events (`janusGatewayId`); letters, digits, `.`, `_`, `-`. */
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, `.`, `_` or `-`'),
  region: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, `.`, `_` or `-`'),
  /** The Janus API over WebSocket, e.g. ws://10.0.0.5:8188. */
  wsUrl: z.string().refine(isWebSocketUrl, 'must be a ws:// or wss:// URL'),
  /** Calls the gateway may carry at once. */
  capacity: z.number().int().min(1, 'must be at least 1').max(100_000),
  /** Janus `api_secret`, when the gateway requires one. */
  apiSecret: z.string().min(1).optional(),
});

export type JanusGatewayConfig = z.output<typeof janusGatewaySchema>;

/** A user's SIP identity for outgoing calls (an entry of SIP_ACCOUNTS, keyed by user id). */
const sipAccountSchema = z
  .object({
    /** The From URI, e.g. sip:+15551230001@trunk.example. */
    identity: z.string().regex(/^sips?:[^\s@]+@[^\s@]+$/i, 'must be a SIP URI like sip:user@host'),
    displayName: z.string().max(128).optional(),
    /** Digest credentials Janus answers 401/407 challenges with on the INVITE. */
    authUser: z.string().min(1).optional(),
    secret: z.string().min(1).optional(),
    /** The tenant the user belongs to (the events of the calls it receives carry it). */
    tenant: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'use letters, digits, `_` or `-` only')
      .default('default'),
    /**
     * Where to REGISTER the account so that calls to it reach Ringbus, e.g. sip:registrar.example:5060.
     * Without it the account only calls out.
     */
    registrar: z
      .string()
      .regex(/^sips?:[^\s]+$/i, 'must be a SIP URI like sip:host:port')
      .optional(),
    /** Calls the account can receive at once: one registered handle plus helper handles (Janus helpers). */
    lines: z.number().int().min(1).max(8).default(1),
  })
  .refine((account) => account.registrar === undefined || account.secret !== undefined, {
    message: 'an account with a registrar needs its secret (Janus sends no REGISTER without one)',
    path: ['secret'],
  });

export type SipAccountConfig = z.output<typeof sipAccountSchema>;

const NAME = /^[A-Za-z0-9_-]+$/;
const DEFAULT_GATEWAYS = '[{"id":"janus-1","region":"local","wsUrl":"ws://127.0.0.1:8188","capacity":100}]';

export const mediaOrchestrationConfigSchema = commonConfigSchema
  .extend({
    SERVICE_NAME: serviceNameSchema.default('media-orchestration'),
    HTTP_PORT: httpPortSchema.default(8081),
    JANUS_GATEWAYS: json(
      z
        .array(janusGatewaySchema)
        .refine((gateways) => new Set(gateways.map((g) => g.id)).size === gateways.length, {
          message: 'gateway ids must be unique',
        }),
    ).default(JSON.parse(DEFAULT_GATEWAYS) as JanusGatewayConfig[]),
    /** The region a call is placed in when nothing says where its user is. */
    DEFAULT_REGION: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, `.`, `_` or `-`')
      .default('local'),
    /** The request URI of outgoing INVITEs: the carrier's trunk or our SIP proxy, with `{number}`. */
    SIP_OUTBOUND_URI: sipUriTemplate(NUMBER_PLACEHOLDER).default(`sip:${NUMBER_PLACEHOLDER}@127.0.0.1:5060`),
    /** The From URI of users without an entry in SIP_ACCOUNTS, with `{caller}`. */
    SIP_GUEST_URI: sipUriTemplate(CALLER_PLACEHOLDER).default(`sip:${CALLER_PLACEHOLDER}@127.0.0.1`),
    SIP_ACCOUNTS: json(z.record(z.string().min(1), sipAccountSchema)).default({}),
    EVENTS_STREAM_NAME: z
      .string()
      .regex(NAME, 'use letters, digits, `_` or `-` only')
      .default('RINGBUS_EVENTS'),
    EVENTS_SUBJECT_PREFIX: z
      .string()
      .regex(/^[^\s.*>]+(\.[^\s.*>]+)*$/, 'must be dot-separated NATS tokens without wildcards')
      .default('ringbus.events'),
    EVENTS_DURABLE_NAME: z
      .string()
      .regex(NAME, 'use letters, digits, `_` or `-` only')
      .default('media-orchestration'),
    /** How long JetStream waits for an ack before it redelivers an event (the bus default: 30 s). */
    EVENTS_ACK_WAIT_MS: milliseconds(1_000).default(30_000),
    /** Names this instance's claims on live calls, so a restarted instance finds the calls it lost. */
    INSTANCE_ID: instanceIdSchema('media-orchestration'),
    /** A CallRequested older than this when it arrives is not dialled: its caller has given up. */
    CALL_REQUEST_MAX_AGE_MS: milliseconds(100).default(30_000),
    JANUS_REQUEST_TIMEOUT_MS: milliseconds(100).default(5_000),
    /**
     * How long an instance's hold on a SIP registration lasts without renewal. Each account is registered
     * by one instance at a time (two would fork every incoming INVITE); another takes over once it lapses.
     */
    REGISTRATION_LEASE_MS: milliseconds(3_000).default(30_000),
    /** Idle SIP handles kept registered per gateway, so a call does not wait for Janus to make one. */
    JANUS_WARM_LINES: z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().max(1_000, 'must be at most 1000'))
      .default(16),
    JANUS_RECONNECT_INITIAL_MS: milliseconds(10).default(500),
    JANUS_RECONNECT_MAX_MS: milliseconds(10).default(30_000),
    /** janode's own console logging; our logs cover what matters, so it is off unless debugging. */
    JANODE_LOG_LEVEL: z.enum(['none', 'error', 'warn', 'info', 'verb', 'debug']).default('none'),
  })
  .superRefine((config, context) => {
    if (config.JANUS_RECONNECT_MAX_MS < config.JANUS_RECONNECT_INITIAL_MS) {
      context.addIssue({
        code: 'custom',
        path: ['JANUS_RECONNECT_MAX_MS'],
        message: `must not be below JANUS_RECONNECT_INITIAL_MS (${config.JANUS_RECONNECT_INITIAL_MS})`,
      });
    }
  });

export type MediaOrchestrationConfig = z.output<typeof mediaOrchestrationConfigSchema>;

export function loadMediaOrchestrationConfig(
  env: Readonly<Record<string, string | undefined>>,
): Readonly<MediaOrchestrationConfig> {
  return loadServiceConfig(mediaOrchestrationConfigSchema, env);
}

function json<Schema extends z.ZodType>(schema: Schema) {
  return z
    .string()
    .transform((text, context): unknown => {
      try {
        return JSON.parse(text);
      } catch (error) {
        context.issues.push({
          code: 'custom',
          message: `must be JSON (${(error as Error).message})`,
          input: text,
        });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

function sipUriTemplate(placeholder: string) {
  return z
    .string()
    .regex(/^sips?:\S+$/i, 'must be a SIP URI like sip:user@host:port')
    .refine((template) => template.split(placeholder).length === 2, `must hold ${placeholder} exactly once`);
}

function milliseconds(min: number) {
  return z
    .string()
    .regex(/^\d+$/, 'must be a whole number of milliseconds')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(3_600_000, 'must be at most 3600000'));
}

function isWebSocketUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'ws:' || url.protocol === 'wss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The accounts to keep registered (those with a `registrar`), as the registration loop takes them. */
export function registeredAccountsOf(config: MediaOrchestrationConfig): RegisteredAccount[] {
  return Object.entries(config.SIP_ACCOUNTS).flatMap(([userId, account]) =>
    account.registrar === undefined
      ? []
      : [
          {
            userId,
            tenant: account.tenant,
            identity: account.identity,
            displayName: account.displayName,
            registrar: account.registrar,
            authUser: account.authUser,
            secret: account.secret,
            lines: account.lines,
          },
        ],
  );
}
