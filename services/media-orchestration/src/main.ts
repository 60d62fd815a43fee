import { bootstrapRingbusService, exitOnStartupFailure } from '@ringbus/service-kit';
import { consumeCallEvents } from './adapters/bus/call-event-consumer.js';
import { AppModule } from './app.module.js';
import { loadMediaOrchestrationConfig } from './config.js';

try {
  const config = loadMediaOrchestrationConfig(process.env);
  await bootstrapRingbusService(AppModule.forRoot(config), config, {
    beforeListen: async (app) => {
      const consumer = await consumeCallEvents(app, config);
      // A consumer that cannot start (e.g. a durable with another filter) is fatal, even after start-up.
      consumer.started.catch((error: unknown) => exitOnStartupFailure(error, 'media-orchestration'));
    },
  });
} catch (error) {
  exitOnStartupFailure(error, 'media-orchestration');
}
