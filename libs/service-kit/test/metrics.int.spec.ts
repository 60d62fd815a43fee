import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commonConfigSchema,
  createRingbusApp,
  createServiceMetricsRegistry,
  loadServiceConfig,
  METRICS_REGISTRY,
} from '@ringbus/service-kit';
import { freeLoopbackPort, testDatabaseUrl, testNatsUrl } from '@ringbus/testkit';

/** A service's own metrics, registered in the frame's registry as a service module would. */
@Injectable()
class ProbeMetrics implements OnModuleInit {
  readonly requests: Counter;
  private scrapes = 0;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.requests = new Counter({
      name: 'ringbus_probe_requests_total',
      help: 'Requests the probe handled',
      labelNames: ['outcome'],
      registers: [registry],
    });
    const scrapes = () => ++this.scrapes;
    new Gauge({
      name: 'ringbus_probe_scrapes',
      help: 'How often the registry was collected; set at scrape time',
      registers: [registry],
      collect() {
        this.set(scrapes());
      },
    });
  }

  onModuleInit(): void {
    this.requests.inc({ outcome: 'ok' }, 3);
  }
}

@Module({ providers: [ProbeMetrics] })
class ProbeModule {}

let app: NestFastifyApplication;
let base: string;

beforeAll(async () => {
  const config = loadServiceConfig(commonConfigSchema, {
    SERVICE_NAME: 'metrics-probe',
    HTTP_PORT: String(await freeLoopbackPort()),
    DATABASE_URL: (await testDatabaseUrl()).url,
    NATS_URL: (await testNatsUrl()).url,
    LOG_LEVEL: 'silent',
  });
  app = await createRingbusApp(ProbeModule, config);
  await app.listen(config.HTTP_PORT, '127.0.0.1');
  base = `http://127.0.0.1:${config.HTTP_PORT}`;
});

afterAll(async () => {
  await app?.close();
});

describe('GET /metrics', () => {
  it("answers the app's registry in Prometheus text format, with the service label on every series", async () => {
    const reply = await fetch(`${base}/metrics`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await reply.text();
    expect(body).toContain('# TYPE ringbus_probe_requests_total counter');
    expect(body).toContain('ringbus_probe_requests_total{outcome="ok",service="metrics-probe"} 3');
    // Default Node metrics, unprefixed, labelled too.
    expect(body).toMatch(/^process_cpu_user_seconds_total\{service="metrics-probe"\} \d/m);
    expect(body).toMatch(/^nodejs_eventloop_lag_seconds\{service="metrics-probe"\} /m);
    // The body is exactly the registry's content (up to values that move between two reads).
    const registry = app.get<Registry>(METRICS_REGISTRY);
    const names = (text: string) => text.split('\n').filter((line) => line.startsWith('# TYPE'));
    expect(names(body)).toEqual(names(await registry.metrics()));
  });

  it('runs collect callbacks at each scrape', async () => {
    const value = async () =>
      Number(
        /^ringbus_probe_scrapes\{service="metrics-probe"\} (\d+)$/m.exec(
          await (await fetch(`${base}/metrics`)).text(),
        )?.[1],
      );
    const first = await value();
    expect(await value()).toBeGreaterThan(first);
  });

  it('each app has its own registry: default metrics in two registries do not collide', async () => {
    const other = createServiceMetricsRegistry('other');
    expect(await other.metrics()).toMatch(/^process_cpu_user_seconds_total\{service="other"\} /m);
    expect(await other.metrics()).not.toContain('ringbus_probe_requests_total');
  });
});
