import { z } from 'zod';
import { DEFAULT_EVENT_SUBJECT_PREFIX, DEFAULT_EVENTS_STREAM_NAME } from '@ringbus/event-wire';
import { RelayConfigError } from './errors.js';
import { RELAY_DEFAULTS } from './relay-options.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const required = {
  error: (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : undefined),
};

function hasScheme(schemes: readonly string[], value: string): boolean {
  try {
    const url = new URL(value);
    return schemes.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z.number().int().min(min, `must be from ${min} to ${max}`).max(max, `must be from ${min} to ${max}`),
    );

/** The relay process's environment; every variable is documented in docs/event-relay.md. */
export const relayConfigSchema = z.object({
  DATABASE_URL: z
    .string(required)
    .refine(
      (value) => hasScheme(['postgres:', 'postgresql:'], value),
      'must be a URL like postgres://user@host:5432/database (add ?options=-c%20search_path%3D<schema> for a schema)',
    ),
  NATS_URL: z
    .string(required)
    .refine(
      (value) => value.split(',').every((server) => hasScheme(['nats:', 'tls:'], server.trim())),
      'must be nats://host:port, or several separated by commas',
    ),
  RELAY_NAME: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'must be letters, digits, ".", "_" or "-" (at most 100)')
    .default('event-relay'),
  RELAY_STREAM_NAME: z
    .string()
    .regex(/^[^\s.*>/\\]{1,255}$/, 'must be a JetStream stream name (no spaces, ".", "*", ">", "/" or "\\")')
    .default(DEFAULT_EVENTS_STREAM_NAME),
  RELAY_SUBJECT_PREFIX: z
    .string()
    .regex(/^[^\s.*>]+(\.[^\s.*>]+)*$/, 'must be dot-separated literal NATS tokens, e.g. ringbus.events')
    .default(DEFAULT_EVENT_SUBJECT_PREFIX),
  RELAY_BATCH_SIZE: wholeNumber(1, 10_000).default(RELAY_DEFAULTS.batchSize),
  // Unset: 1000 ms with RELAY_WAKE_UP=listen, 100 ms with poll (see resolveRelayOptions).
  RELAY_IDLE_POLL_MS: wholeNumber(1, 60_000).optional(),
  RELAY_WAKE_UP: z.enum(['listen', 'poll'], { error: 'must be listen or poll' }).default('listen'),
  RELAY_STREAM_REPLICAS: wholeNumber(1, 5).default(RELAY_DEFAULTS.streamReplicas),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
});

export type RelayConfig = Readonly<z.output<typeof relayConfigSchema>>;

/**
 * Validates the environment once at start. An empty variable counts as unset. Throws a RelayConfigError
 * naming every bad or missing variable.
 */
export function parseRelayConfig(env: Readonly<Record<string, string | undefined>>): RelayConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = relayConfigSchema.safeParse(present);
  if (result.success) return Object.freeze(result.data);
  const problems = new Map<string, string>();
  for (const issue of result.error.issues) {
    const variable = issue.path.length > 0 ? issue.path.map(String).join('.') : '(environment)';
    if (!problems.has(variable)) problems.set(variable, issue.message);
  }
  throw new RelayConfigError(
    'environment',
    [...problems].map(([variable, problem]) => `${variable} ${problem}`).join('; '),
    { cause: result.error },
  );
}
