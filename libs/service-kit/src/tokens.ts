/** Injection tokens for what the service frame provides to every module (`@Inject(TOKEN)`). */
export const SERVICE_CONFIG = Symbol('ringbus.service-config');
export const SERVICE_LOGGER = Symbol('ringbus.service-logger');
export const POSTGRES_POOL = Symbol('ringbus.postgres-pool');
export const NATS_CONNECTION = Symbol('ringbus.nats-connection');
/** The service's prom-client `Registry`, served on `GET /metrics`; register the service's metrics in it. */
export const METRICS_REGISTRY = Symbol('ringbus.metrics-registry');
