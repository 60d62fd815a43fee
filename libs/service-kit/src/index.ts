export {
  commonConfigSchema,
  instanceIdSchema,
  httpPortSchema,
  serviceNameSchema,
  loadServiceConfig,
  redactUrl,
  DEFAULT_HTTP_HOST,
  DEFAULT_DATABASE_URL,
  DEFAULT_NATS_URL,
  LOG_LEVELS,
  type CommonServiceConfig,
  type LogLevel,
} from './config.js';
export {
  ServiceKitError,
  ConfigurationError,
  DependencyUnavailableError,
  type ServiceKitErrorCode,
  type ConfigurationProblem,
  type DependencyName,
} from './errors.js';
export { createServiceLogger, PinoNestLogger, type ServiceLogger } from './logger.js';
export {
  SERVICE_CONFIG,
  SERVICE_LOGGER,
  POSTGRES_POOL,
  NATS_CONNECTION,
  METRICS_REGISTRY,
} from './tokens.js';
export { createServiceMetricsRegistry, MetricsController, RINGBUS_METRIC_PREFIX } from './metrics.js';
export { openPostgresPool, probePostgres, type DependencyState } from './postgres.js';
export { connectNats, probeNats, natsServers } from './nats.js';
export { DependencyHealth, HealthController, HEALTH_PROBE_TIMEOUT_MS, type HealthReport } from './health.js';
export { ServiceConnections } from './service-connections.js';
export { RingbusServiceModule } from './ringbus-service.module.js';
export {
  createRingbusApp,
  bootstrapRingbusService,
  SHUTDOWN_SIGNALS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  type RingbusAppOptions,
  type BootstrapOptions,
} from './bootstrap.js';
export { exitOnStartupFailure } from './startup-failure.js';
