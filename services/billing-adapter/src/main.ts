import { bootstrapRingbusService, exitOnStartupFailure } from '@ringbus/service-kit';
import { AppModule } from './app.module.js';
import { loadBillingAdapterConfig } from './config.js';

try {
  await bootstrapRingbusService(AppModule, loadBillingAdapterConfig(process.env));
} catch (error) {
  exitOnStartupFailure(error, 'billing-adapter');
}
