import {
  commonConfigSchema,
  httpPortSchema,
  loadServiceConfig,
  serviceNameSchema,
} from '@ringbus/service-kit';
import { type z } from 'zod';

export const billingAdapterConfigSchema = commonConfigSchema.extend({
  SERVICE_NAME: serviceNameSchema.default('billing-adapter'),
  HTTP_PORT: httpPortSchema.default(8082),
});

export type BillingAdapterConfig = z.output<typeof billingAdapterConfigSchema>;

export function loadBillingAdapterConfig(
  env: Readonly<Record<string, string | undefined>>,
): Readonly<BillingAdapterConfig> {
  return loadServiceConfig(billingAdapterConfigSchema, env);
}
