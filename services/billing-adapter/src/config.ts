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

export const billingAdapterConfigSchema = commonConfigSchema.extend({
  SERVICE_NAME: serviceNameSchema.default('billing-adapter'),
  HTTP_PORT: httpPortSchema.default(8082),
  /** Schema of the `cdr` table (created when missing); default the DATABASE_URL's current schema. */
  CDR_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case PostgreSQL identifier (letters, digits, `_`)')
    .optional(),
  /**
   * Country code (digits, no `+`) of numbers dialled nationally, for the CDR's E.164 columns, e.g. `49`;
   * unset: only international forms (`+…`, `00…`) are normalised. Changing it changes rebuilt CDRs.
   */
  CDR_DEFAULT_COUNTRY_CODE: z
    .string()
    .regex(/^[1-9]\d{0,2}$/, 'must be a country code of 1-3 digits without `+`, e.g. 49')
    .default(''),
  /** The relay's JetStream stream and subject prefix (see docs/event-relay.md). */
  EVENTS_STREAM_NAME: jetStreamName.default('RINGBUS_EVENTS'),
  EVENTS_SUBJECT_PREFIX: subjectPrefix.default('ringbus.events'),
  /** The durable consumer projecting CDRs; shared by every billing-adapter instance. */
  EVENTS_DURABLE_NAME: jetStreamName.default('billing-cdr'),
  DEAD_LETTER_STREAM: jetStreamName.default('RINGBUS_DLQ'),
  DEAD_LETTER_SUBJECT_PREFIX: subjectPrefix.default('ringbus.dlq'),
});

export type BillingAdapterConfig = z.output<typeof billingAdapterConfigSchema>;

export function loadBillingAdapterConfig(
  env: Readonly<Record<string, string | undefined>>,
): Readonly<BillingAdapterConfig> {
  return loadServiceConfig(billingAdapterConfigSchema, env);
}
