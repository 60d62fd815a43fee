import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';
import { type CommonServiceConfig } from './config.js';
import { type ServiceLogger } from './logger.js';
import { connectNats } from './nats.js';
import { openPostgresPool } from './postgres.js';
import { NATS_CONNECTION, POSTGRES_POOL, SERVICE_LOGGER } from './tokens.js';

export interface OpenConnections {
  readonly pool: pg.Pool;
  readonly nats: NatsConnection;
}

/** Opens the pool, then NATS; if NATS fails, the pool is closed again so a failed start leaks nothing. */
export async function openServiceConnections(
  config: CommonServiceConfig,
  logger: ServiceLogger,
): Promise<OpenConnections> {
  const pool = await openPostgresPool(config, logger);
  try {
    return { pool, nats: await connectNats(config, logger) };
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

/**
 * Closes the shared connections last: Nest calls this after the HTTP server has stopped and after every
 * module's own `onModuleDestroy`/`beforeApplicationShutdown`, so handlers still finishing their work
 * can publish and commit until then.
 */
@Injectable()
export class ServiceConnections implements OnApplicationShutdown {
  constructor(
    @Inject(POSTGRES_POOL) private readonly pool: pg.Pool,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  async onApplicationShutdown(signal?: string): Promise<void> {
    // Drain delivers what subscriptions already received and flushes what was published, then closes.
    if (!this.nats.isClosed()) {
      await this.nats
        .drain()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'NATS drain failed'));
    }
    await this.pool
      .end()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'closing the PostgreSQL pool failed'));
    this.logger.info({ signal }, 'NATS drained and PostgreSQL pool closed');
  }
}
