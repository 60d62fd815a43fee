import {
  commonConfigSchema,
  httpPortSchema,
  loadServiceConfig,
  serviceNameSchema,
} from '@ringbus/service-kit';
import { type z } from 'zod';

export const pushConfigSchema = commonConfigSchema.extend({
  SERVICE_NAME: serviceNameSchema.default('push'),
  HTTP_PORT: httpPortSchema.default(8083),
});

export type PushConfig = z.output<typeof pushConfigSchema>;

export function loadPushConfig(env: Readonly<Record<string, string | undefined>>): Readonly<PushConfig> {
  return loadServiceConfig(pushConfigSchema, env);
}
