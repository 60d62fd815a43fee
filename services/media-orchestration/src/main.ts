import { bootstrapRingbusService, exitOnStartupFailure } from '@ringbus/service-kit';
import { AppModule } from './app.module.js';
import { loadMediaOrchestrationConfig } from './config.js';

try {
  await bootstrapRingbusService(AppModule, loadMediaOrchestrationConfig(process.env));
} catch (error) {
  exitOnStartupFailure(error, 'media-orchestration');
}
