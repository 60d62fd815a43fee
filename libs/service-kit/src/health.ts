import { Controller, Get, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { type NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';
import { probeNats } from './nats.js';
import { type DependencyState, probePostgres } from './postgres.js';
import { NATS_CONNECTION, POSTGRES_POOL } from './tokens.js';

export const HEALTH_PROBE_TIMEOUT_MS = 1_000;

export interface HealthReport {
  readonly status: 'ok' | 'unavailable';
  readonly checks: { readonly postgres: DependencyState; readonly nats: DependencyState };
}

/** Asks PostgreSQL and NATS, in parallel and each with a short deadline, whether they answer now. */
@Injectable()
export class DependencyHealth {
  constructor(
    @Inject(POSTGRES_POOL) private readonly pool: pg.Pool,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
  ) {}

  async report(timeoutMs = HEALTH_PROBE_TIMEOUT_MS): Promise<HealthReport> {
    const [postgres, nats] = await Promise.all([
      probePostgres(this.pool, timeoutMs),
      probeNats(this.nats, timeoutMs),
    ]);
    const status = postgres === 'up' && nats === 'up' ? 'ok' : 'unavailable';
    return { status, checks: { postgres, nats } };
  }
}

@Controller()
export class HealthController {
  constructor(@Inject(DependencyHealth) private readonly health: DependencyHealth) {}

  /** 200 when every dependency answers, 503 (same body shape) naming the one that does not. */
  @Get('healthz')
  async healthz(): Promise<HealthReport> {
    const report = await this.health.report();
    if (report.status !== 'ok') throw new ServiceUnavailableException(report);
    return report;
  }
}
