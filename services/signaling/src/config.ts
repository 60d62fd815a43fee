import {
  commonConfigSchema,
  httpPortSchema,
  loadServiceConfig,
  serviceNameSchema,
} from '@ringbus/service-kit';
import { type z } from 'zod';

export const signalingConfigSchema = commonConfigSchema.extend({
  SERVICE_NAME: serviceNameSchema.default('signaling'),
  HTTP_PORT: httpPortSchema.default(8080),
});

export type SignalingConfig = z.output<typeof signalingConfigSchema>;

export function loadSignalingConfig(
  env: Readonly<Record<string, string | undefined>>,
): Readonly<SignalingConfig> {
  return loadServiceConfig(signalingConfigSchema, env);
}
