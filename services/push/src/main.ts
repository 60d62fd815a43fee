import { bootstrapRingbusService, exitOnStartupFailure } from '@ringbus/service-kit';
import { AppModule } from './app.module.js';
import { loadPushConfig } from './config.js';

try {
  await bootstrapRingbusService(AppModule, loadPushConfig(process.env));
} catch (error) {
  exitOnStartupFailure(error, 'push');
}
