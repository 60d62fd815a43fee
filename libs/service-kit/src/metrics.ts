import { Controller, Get, Header, Inject } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { METRICS_REGISTRY } from './tokens.js';

/** Prefix of every metric a Ringbus service defines itself (`ringbus_media_active_calls`, ...). */
export const RINGBUS_METRIC_PREFIX = 'ringbus_';

/**
 * The service's own Prometheus registry (one per app, never prom-client's global one, so two apps in one
 * process — tests — do not share series). Policy (docs/operations.md, "Metrics"):
 * - every series carries the label `service` = SERVICE_NAME, set as a default label;
 * - prom-client's default Node metrics (`process_*`, `nodejs_*`) keep their standard names, unprefixed,
 *   so stock Node dashboards work; the `service` label tells the services apart;
 * - a service's own metrics are named `ringbus_<area>_<what>_<unit>`.
 */
export function createServiceMetricsRegistry(serviceName: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: serviceName });
  collectDefaultMetrics({ register: registry });
  return registry;
}

@Controller()
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  /** The registry in Prometheus text format (0.0.4); collect callbacks run now, at scrape time. */
  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  async metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
