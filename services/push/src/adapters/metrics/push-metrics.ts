import { Counter, Histogram, type Registry } from 'prom-client';
import { type PushObserver } from '../../app/ports.js';

/**
 * The push service's Prometheus metrics, in the service's registry (served on /metrics):
 * - `ringbus_push_latency_seconds{provider}`: from `CallOffered` occurred-at to the provider accepting
 *   the push (includes relay, bus, token lookup and retries);
 * - `ringbus_push_deliveries_total{provider,outcome}`: settled pushes (`sent`, `failed`,
 *   `token_invalid`), and offered calls too old to push (`provider="none",outcome="stale"`).
 */
export class PushMetrics implements PushObserver {
  readonly latency: Histogram<'provider'>;
  readonly deliveries: Counter<'provider' | 'outcome'>;

  constructor(private readonly registry: Registry) {
    this.latency = new Histogram({
      name: 'ringbus_push_latency_seconds',
      help: 'Time from CallOffered occurred-at to the push provider accepting the push',
      labelNames: ['provider'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30],
      registers: [this.registry],
    });
    this.deliveries = new Counter({
      name: 'ringbus_push_deliveries_total',
      help: 'Incoming-call pushes settled, by provider and outcome',
      labelNames: ['provider', 'outcome'],
      registers: [this.registry],
    });
  }

  accepted(provider: string, latencySeconds: number): void {
    this.latency.observe({ provider }, latencySeconds);
  }

  settled(provider: string, outcome: string): void {
    this.deliveries.inc({ provider, outcome });
  }
}
