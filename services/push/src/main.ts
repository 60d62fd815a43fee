import { bootstrapRingbusService, exitOnStartupFailure } from '@ringbus/service-kit';
import { consumePushEvents } from './adapters/bus/push-consumer.js';
import { AppModule } from './app.module.js';
import { loadPushConfig } from './config.js';

try {
  const config = loadPushConfig(process.env);
  await bootstrapRingbusService(AppModule.forRoot(config), config, {
    beforeListen: async (app) => {
      const consumer = await consumePushEvents(app, config);
      // A consumer that cannot start (e.g. a durable with another filter) is fatal, even after start-up.
      consumer.started.catch((error: unknown) => exitOnStartupFailure(error, 'push'));
    },
  });
} catch (error) {
  exitOnStartupFailure(error, 'push');
}
