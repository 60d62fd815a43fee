import { z } from 'zod';
import { CliConfigurationError } from './errors.js';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * What `ringbus` reads from its environment (docs/billing.md, "The ringbus CLI"). The same variables as
 * billing-adapter where they mean the same thing, so one environment file serves both.
 */
export const cliConfigSchema = z.object({
  /** The event store's database; its current schema (`?options=-c search_path=…`) holds `events`. */
  DATABASE_URL: z
    .string({ error: 'is required, e.g. postgres://user@host:5432/ringbus' })
    .refine(isPostgresUrl, 'must be a URL like postgres://user@host:5432/database'),
  CDR_SCHEMA: z.string().regex(IDENTIFIER, 'must be a lower-case PostgreSQL identifier').optional(),
  CDR_DEFAULT_COUNTRY_CODE: z
    .string()
    .regex(/^[1-9]\d{0,2}$/, 'must be a country code of 1-3 digits without `+`, e.g. 49')
    .default(''),
});

export type CliConfig = z.output<typeof cliConfigSchema>;

/** Validates the environment; an empty variable counts as unset. Throws naming every bad variable. */
export function loadCliConfig(env: Readonly<Record<string, string | undefined>>): Readonly<CliConfig> {
  return parseEnv(cliConfigSchema, env);
}

/** PortaBilling's API, needed only by `reconcile --against portabilling`. */
export const portaBillingConfigSchema = z
  .object({
    PORTABILLING_URL: z
      .string({ error: 'is required for --against portabilling, e.g. https://billing.example:443' })
      .refine(isHttpUrl, 'must be an http(s) URL'),
    PORTABILLING_LOGIN: z.string({ error: 'is required for --against portabilling' }),
    PORTABILLING_PASSWORD: z.string({ error: 'is required for --against portabilling' }),
    /** Whose xDRs to read: a customer (`i_customer`)... */
    PORTABILLING_CUSTOMER: z
      .string()
      .regex(/^\d{1,12}$/, 'must be the numeric i_customer')
      .transform(Number)
      .optional(),
    /** ...or accounts, by account id (comma separated). */
    PORTABILLING_ACCOUNTS: z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id !== ''),
      )
      .optional(),
    PORTABILLING_TIMEOUT_MS: z
      .string()
      .regex(/^\d{3,6}$/, 'must be milliseconds, 100 to 999999')
      .transform(Number)
      .default(10_000),
  })
  .refine(
    (config) => config.PORTABILLING_CUSTOMER !== undefined || (config.PORTABILLING_ACCOUNTS ?? []).length > 0,
    {
      path: ['PORTABILLING_CUSTOMER'],
      message: 'or PORTABILLING_ACCOUNTS is required for --against portabilling: whose xDRs to compare',
    },
  );

export function parseEnv<Schema extends z.ZodType>(
  schema: Schema,
  env: Readonly<Record<string, string | undefined>>,
): Readonly<z.output<Schema>> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(present);
  if (result.success) return Object.freeze(result.data);
  const problems = new Map<string, string>();
  for (const issue of result.error.issues) {
    const variable = issue.path.map(String).join('.') || '(environment)';
    if (!problems.has(variable)) problems.set(variable, issue.message);
  }
  throw new CliConfigurationError([...problems].map(([variable, problem]) => ({ variable, problem })));
}
