import {
  commonConfigSchema,
  httpPortSchema,
  loadServiceConfig,
  serviceNameSchema,
} from '@ringbus/service-kit';
import { type z } from 'zod';

export const mediaOrchestrationConfigSchema = commonConfigSchema.extend({
  SERVICE_NAME: serviceNameSchema.default('media-orchestration'),
  HTTP_PORT: httpPortSchema.default(8081),
});

export type MediaOrchestrationConfig = z.output<typeof mediaOrchestrationConfigSchema>;

export function loadMediaOrchestrationConfig(
  env: Readonly<Record<string, string | undefined>>,
): Readonly<MediaOrchestrationConfig> {
  return loadServiceConfig(mediaOrchestrationConfigSchema, env);
}
