import { bootstrapRingbusService, exitOnStartupFailure } from '@ringbus/service-kit';
import { AppModule } from './app.module.js';
import { loadSignalingConfig } from './config.js';

try {
  await bootstrapRingbusService(AppModule, loadSignalingConfig(process.env));
} catch (error) {
  exitOnStartupFailure(error, 'signaling');
}
