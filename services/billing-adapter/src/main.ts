import { bootstrapRingbusService, exitOnStartupFailure } from '@ringbus/service-kit';
import { consumeCdrEvents } from './adapters/bus/cdr-consumer.js';
import { AppModule } from './app.module.js';
import { loadBillingAdapterConfig } from './config.js';

try {
  const config = loadBillingAdapterConfig(process.env);
  await bootstrapRingbusService(AppModule.forRoot(config), config, {
    beforeListen: async (app) => {
      const consumer = await consumeCdrEvents(app, config);
      // A consumer that cannot start (e.g. a durable with another filter) is fatal, even after start-up.
      consumer.started.catch((error: unknown) => exitOnStartupFailure(error, 'billing-adapter'));
    },
  });
} catch (error) {
  exitOnStartupFailure(error, 'billing-adapter');
}
