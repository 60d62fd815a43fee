import { type DynamicModule, Module } from '@nestjs/common';
import { type CommonServiceConfig } from './config.js';
import { DependencyHealth, HealthController } from './health.js';
import { type ServiceLogger } from './logger.js';
import { createServiceMetricsRegistry, MetricsController } from './metrics.js';
import { type OpenConnections, openServiceConnections, ServiceConnections } from './service-connections.js';
import {
  METRICS_REGISTRY,
  NATS_CONNECTION,
  POSTGRES_POOL,
  SERVICE_CONFIG,
  SERVICE_LOGGER,
} from './tokens.js';

/**
 * The frame every service runs in: its config, logger, PostgreSQL pool and NATS connection (global, so any
 * module can `@Inject` them), its metrics registry (`GET /metrics`), `GET /healthz`, and the orderly close of both connections.
 */
const OPEN_CONNECTIONS = Symbol('ringbus.open-connections');

@Module({})
export class RingbusServiceModule {
  static forRoot(config: CommonServiceConfig, logger: ServiceLogger): DynamicModule {
    return {
      module: RingbusServiceModule,
      global: true,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: SERVICE_LOGGER, useValue: logger },
        { provide: OPEN_CONNECTIONS, useFactory: () => openServiceConnections(config, logger) },
        {
          provide: POSTGRES_POOL,
          useFactory: (open: OpenConnections) => open.pool,
          inject: [OPEN_CONNECTIONS],
        },
        {
          provide: NATS_CONNECTION,
          useFactory: (open: OpenConnections) => open.nats,
          inject: [OPEN_CONNECTIONS],
        },
        { provide: METRICS_REGISTRY, useFactory: () => createServiceMetricsRegistry(config.SERVICE_NAME) },
        DependencyHealth,
        ServiceConnections,
      ],
      exports: [
        SERVICE_CONFIG,
        SERVICE_LOGGER,
        POSTGRES_POOL,
        NATS_CONNECTION,
        METRICS_REGISTRY,
        DependencyHealth,
      ],
    };
  }
}
