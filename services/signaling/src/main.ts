import { bootstrapRingbusService, exitOnStartupFailure } from '@ringbus/service-kit';
import { consumeLiveCallEvents } from './adapters/bus/live-call-consumer.js';
import { AppModule } from './app.module.js';
import { loadSignalingConfig } from './config.js';

try {
  const config = loadSignalingConfig(process.env);
  await bootstrapRingbusService(AppModule.forRoot(config), config, {
    beforeListen: async (app) => {
      const consumer = await consumeLiveCallEvents(app, config);
      // A consumer that cannot start (e.g. a durable with another filter) is fatal, even after start-up.
      consumer.started.catch((error: unknown) => exitOnStartupFailure(error, 'signaling'));
    },
  });
} catch (error) {
  exitOnStartupFailure(error, 'signaling');
}
