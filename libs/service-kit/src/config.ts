import { hostname } from 'node:os';
import { z } from 'zod';
import { ConfigurationError, type ConfigurationProblem } from './errors.js';

export const DEFAULT_HTTP_HOST = '127.0.0.1';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const required = {
  error: (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : undefined),
};

/** A TCP port given as text, e.g. `8080`. Services add their own `.default(...)`. */
export const httpPortSchema = z
  .string(required)
  .trim()
  .regex(/^\d+$/, 'must be a whole number from 1 to 65535')
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be from 1 to 65535').max(65535, 'must be from 1 to 65535'));

/** The name in logs, traces and NATS connection names. Services add their own `.default(...)`. */
export const serviceNameSchema = z
  .string(required)
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes, starting with a letter');

/**
 * Names one instance of a service (logs, NATS notices, claims on live calls); defaults to the host name,
 * which is the pod name in Kubernetes, falling back to `fallback` where the host has none.
 */
export function instanceIdSchema(fallback: string) {
  return z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be 1-128 letters, digits, `.`, `_` or `-`')
    .default(
      hostname()
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .slice(0, 128) || fallback,
    );
}

function urlWithScheme(schemes: readonly string[], value: string): boolean {
  try {
    const url = new URL(value);
    return schemes.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

const databaseUrlSchema = z
  .string()
  .refine(
    (value) => urlWithScheme(['postgres:', 'postgresql:'], value),
    'must be a URL like postgres://user@host:5432/database',
  );

// A comma-separated list, so a service can be given every member of a NATS cluster.
const natsUrlSchema = z
  .string()
  .refine(
    (value) => value.split(',').every((server) => urlWithScheme(['nats:', 'tls:'], server.trim())),
    'must be nats://host:port, or several separated by commas',
  );

/** What every Ringbus service reads from its environment. */
export const commonConfigSchema = z.object({
  SERVICE_NAME: serviceNameSchema,
  HTTP_HOST: z.string().min(1).default(DEFAULT_HTTP_HOST),
  HTTP_PORT: httpPortSchema,
  DATABASE_URL: databaseUrlSchema.default(DEFAULT_DATABASE_URL),
  NATS_URL: natsUrlSchema.default(DEFAULT_NATS_URL),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
});

export type CommonServiceConfig = z.output<typeof commonConfigSchema>;

/**
 * Validates `env` against `schema` and returns the frozen result. An empty variable counts as unset, so
 * `HTTP_HOST=` means "use the default". Throws a ConfigurationError naming every bad or missing variable.
 */
export function loadServiceConfig<Schema extends z.ZodType<CommonServiceConfig, Record<string, unknown>>>(
  schema: Schema,
  env: Readonly<Record<string, string | undefined>>,
): Readonly<z.output<Schema>> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(present);
  if (!result.success) throw new ConfigurationError(problemsOf(result.error));
  return Object.freeze(result.data);
}

function problemsOf(error: z.ZodError): ConfigurationProblem[] {
  const problems = new Map<string, string>();
  for (const issue of error.issues) {
    const variable = issue.path.length > 0 ? issue.path.map(String).join('.') : '(environment)';
    // The first problem per variable is the one to fix first; later ones often follow from it.
    if (!problems.has(variable)) problems.set(variable, issue.message);
  }
  return [...problems].map(([variable, problem]) => ({ variable, problem }));
}

/** `url` without its password, for logs and error messages. */
export function redactUrl(url: string): string {
  return url
    .split(',')
    .map((part) => {
      try {
        const parsed = new URL(part.trim());
        if (parsed.password !== '') parsed.password = '***';
        return parsed.toString();
      } catch {
        return '(unparseable URL)';
      }
    })
    .join(',');
}
