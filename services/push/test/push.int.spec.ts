import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type NodeProcess,
  processExists,
  spawnService,
  startNodeProcess,
  startPostgresServer,
  type PostgresServerProcess,
} from '@ringbus/testkit';

// The compiled service, run as production runs it (build first: `npx tsc -b`).
const main = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));

const processes: NodeProcess[] = [];
const databases: PostgresServerProcess[] = [];
afterEach(async () => {
  for (const child of processes.splice(0)) await child.stop({ signal: 'SIGKILL', timeoutMs: 1_000 });
  for (const database of databases.splice(0)) await database.stop();
});

describe('push service process', () => {
  it('starts, reports PostgreSQL and NATS up on /healthz, and exits 0 on SIGTERM', async () => {
    const service = await spawnService({ main });
    processes.push(service);
    const health = await service.get('/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok', checks: { postgres: 'up', nats: 'up' } });
    expect(service.output()).toContain('"service":"push"');

    service.kill('SIGTERM');
    expect(await service.waitForExit(5_000)).toEqual({ code: 0, signal: null });
    expect(processExists(service.pid)).toBe(false);
  });

  it('answers /healthz with 503 naming PostgreSQL once its database server stops', async () => {
    const database = await startPostgresServer();
    databases.push(database);
    const service = await spawnService({ main, env: { DATABASE_URL: database.url } });
    processes.push(service);

    await database.stop();
    const health = await service.get('/healthz');
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body)).toEqual({
      status: 'unavailable',
      checks: { postgres: 'down', nats: 'up' },
    });

    service.kill('SIGTERM');
    expect(await service.waitForExit(5_000)).toEqual({ code: 0, signal: null });
  });

  it('refuses a bad HTTP_PORT: exits non-zero naming the variable', async () => {
    const child = await startNodeProcess({ args: [main], env: { HTTP_PORT: 'abc' } });
    processes.push(child);
    const exit = await child.waitForExit(10_000);
    expect(exit.code).not.toBe(0);
    expect(child.output()).toMatch(/HTTP_PORT must be a whole number/);
  });
});
