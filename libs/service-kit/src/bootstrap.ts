import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type CommonServiceConfig } from './config.js';
import { createServiceLogger, PinoNestLogger, type ServiceLogger } from './logger.js';
import { RingbusServiceModule } from './ringbus-service.module.js';

export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

export interface RingbusAppOptions {
  /** The logger to use; by default one is made from SERVICE_NAME and LOG_LEVEL. */
  readonly logger?: ServiceLogger;
}

export interface BootstrapOptions extends RingbusAppOptions {
  /** How long the close may take after the first signal before the process is forced out (default 10 s). */
  readonly shutdownTimeoutMs?: number;
  /** Runs on the built app before it listens, e.g. to connect a microservice transport (a consumer). */
  readonly beforeListen?: (app: NestFastifyApplication) => Promise<void>;
}

@Module({})
class RingbusApplication {}

/**
 * Builds the service's Nest application on Fastify, inside the service frame (config, logger, pool, NATS,
 * /healthz), without listening. Rejects with DependencyUnavailableError when PostgreSQL or NATS is down.
 */
export async function createRingbusApp(
  appModule: Type | DynamicModule,
  config: CommonServiceConfig,
  options: RingbusAppOptions = {},
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createServiceLogger(config);
  const root: DynamicModule = {
    module: RingbusApplication,
    imports: [RingbusServiceModule.forRoot(config, logger), appModule],
  };
  return NestFactory.create<NestFastifyApplication>(root, new FastifyAdapter({ logger: false }), {
    logger: new PinoNestLogger(logger),
    // By default Nest aborts the process (SIGABRT, core dump) when a provider fails to start; we want
    // the error, to report it and exit 1.
    abortOnError: false,
    // From the first signal on, new requests (load balancers' health checks among them) get 503 while
    // the requests in flight finish.
    return503OnClosing: true,
  });
}

/**
 * Starts a service: builds the app, listens on HTTP_HOST:HTTP_PORT and closes it on SIGTERM or SIGINT.
 * The close runs Nest's shutdown hooks (the modules' hooks, the HTTP server, then NATS drain and pool end)
 * and exits 0.
 * A second signal, or a close still running after `shutdownTimeoutMs`, exits 1 at once.
 */
export async function bootstrapRingbusService(
  appModule: Type | DynamicModule,
  config: CommonServiceConfig,
  options: BootstrapOptions = {},
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createServiceLogger(config);
  const app = await createRingbusApp(appModule, config, { logger });
  // Nest runs the lifecycle hooks and then exits 0 (exit 1 if a hook throws); we add the deadline and
  // the second-signal escape, which Nest does not have.
  app.enableShutdownHooks([...SHUTDOWN_SIGNALS], { useProcessExit: true });
  enforceShutdownDeadline(logger, options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
  await options.beforeListen?.(app);
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  logger.info({ host: config.HTTP_HOST, port: config.HTTP_PORT }, 'service listening');
  return app;
}

function enforceShutdownDeadline(logger: ServiceLogger, timeoutMs: number): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      logger.warn({ signal }, 'second shutdown signal: exiting without finishing the close');
      process.exit(1);
    }
    closing = true;
    logger.info({ signal, timeoutMs }, 'shutting down');
    setTimeout(() => {
      logger.error({ signal, timeoutMs }, 'shutdown did not finish in time: exiting');
      process.exit(1);
    }, timeoutMs);
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
}
