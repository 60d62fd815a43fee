import { Module } from '@nestjs/common';
import { type NatsConnection } from '@nats-io/transport-node';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  commonConfigSchema,
  createRingbusApp,
  createServiceLogger,
  DependencyUnavailableError,
  loadServiceConfig,
  NATS_CONNECTION,
  POSTGRES_POOL,
} from '@ringbus/service-kit';
import {
  freeLoopbackPort,
  httpGet,
  startNatsServer,
  startPostgresServer,
  testDatabaseUrl,
  testNatsUrl,
  waitForHttp,
} from '@ringbus/testkit';

@Module({})
class EmptyModule {}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function configFor(urls: { databaseUrl?: string; natsUrl?: string; serviceName?: string }) {
  return loadServiceConfig(commonConfigSchema, {
    SERVICE_NAME: urls.serviceName ?? 'frame-test',
    HTTP_PORT: String(await freeLoopbackPort()),
    DATABASE_URL: urls.databaseUrl ?? (await testDatabaseUrl()).url,
    NATS_URL: urls.natsUrl ?? (await testNatsUrl()).url,
    LOG_LEVEL: 'silent',
  });
}

async function listeningApp(config: Awaited<ReturnType<typeof configFor>>): Promise<NestFastifyApplication> {
  const app = await createRingbusApp(EmptyModule, config);
  let closed = false;
  cleanups.push(async () => {
    if (!closed) await app.close();
  });
  await app.listen(config.HTTP_PORT, '127.0.0.1');
  const close = app.close.bind(app);
  app.close = async () => {
    closed = true;
    await close();
  };
  return app;
}

async function backendsNamed(databaseUrl: string, applicationName: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // A closed connection leaves pg_stat_activity a moment after the client let go of it.
    for (let attempt = 0; ; attempt++) {
      const { rows } = await client.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      );
      const count = rows[0]?.count ?? 0;
      if (count === 0 || attempt >= 20) return count;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.end();
  }
}

const healthz = (config: { HTTP_PORT: number }) =>
  httpGet(`http://127.0.0.1:${config.HTTP_PORT}/healthz`, 5_000);

describe('service frame', () => {
  it('answers /healthz 200 with both dependencies up, and closes NATS and the pool with the app', async () => {
    const config = await configFor({});
    const app = await listeningApp(config);
    const reply = await healthz(config);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ status: 'ok', checks: { postgres: 'up', nats: 'up' } });

    const pool = app.get<pg.Pool>(POSTGRES_POOL);
    const nats = app.get<NatsConnection>(NATS_CONNECTION);
    await app.close();
    expect(nats.isClosed()).toBe(true);
    expect(pool.ended).toBe(true);
    await expect(healthz(config)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('answers 503 naming PostgreSQL when its server is stopped', async () => {
    const postgres = await startPostgresServer();
    cleanups.push(() => postgres.stop());
    const config = await configFor({ databaseUrl: postgres.url });
    await listeningApp(config);
    expect((await healthz(config)).status).toBe(200);

    await postgres.stop();
    const reply = await healthz(config);
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.body)).toEqual({
      status: 'unavailable',
      checks: { postgres: 'down', nats: 'up' },
    });
  });

  it('answers 200 again once a restarted PostgreSQL is back, the pool replacing its dead connections', async () => {
    const postgres = await startPostgresServer();
    cleanups.push(() => postgres.stop());
    const config = await configFor({ databaseUrl: postgres.url });
    await listeningApp(config);
    expect((await healthz(config)).status).toBe(200);

    await postgres.restart();
    const back = await waitForHttp(`http://127.0.0.1:${config.HTTP_PORT}/healthz`, { timeoutMs: 10_000 });
    expect(JSON.parse(back.body)).toEqual({ status: 'ok', checks: { postgres: 'up', nats: 'up' } });
  });

  it('answers 503 naming NATS while its server is down, and 200 again once it is back', async () => {
    const nats = await startNatsServer();
    cleanups.push(() => nats.stop());
    const config = await configFor({ natsUrl: nats.url });
    await listeningApp(config);
    expect((await healthz(config)).status).toBe(200);

    nats.kill('SIGKILL');
    await nats.exited;
    const down = await healthz(config);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toEqual({
      status: 'unavailable',
      checks: { postgres: 'up', nats: 'down' },
    });

    await nats.restart();
    const back = await waitForHttp(`http://127.0.0.1:${config.HTTP_PORT}/healthz`, { timeoutMs: 10_000 });
    expect(JSON.parse(back.body)).toEqual({ status: 'ok', checks: { postgres: 'up', nats: 'up' } });
  });

  it('refuses to start when NATS is unreachable, saying which variable to fix, and leaves no connection open', async () => {
    const serviceName = `frame-${randomBytes(4).toString('hex')}`;
    const config = await configFor({ natsUrl: `nats://127.0.0.1:${await freeLoopbackPort()}`, serviceName });
    const failure = await createRingbusApp(EmptyModule, config, {
      logger: createServiceLogger(config),
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DependencyUnavailableError);
    expect(failure).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', dependency: 'nats', retryable: true });
    expect((failure as Error).message).toContain('NATS_URL');
    // The pool had opened before NATS failed: it must have been closed again.
    expect(await backendsNamed(config.DATABASE_URL, serviceName)).toBe(0);
  });

  it('refuses to start when PostgreSQL is unreachable, without printing its password', async () => {
    const port = await freeLoopbackPort();
    const config = await configFor({ databaseUrl: `postgres://app:hunter2@127.0.0.1:${port}/x` });
    const failure = await createRingbusApp(EmptyModule, config).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', dependency: 'postgres' });
    expect((failure as Error).message).toContain('DATABASE_URL');
    expect((failure as Error).message).not.toContain('hunter2');
  });
});
