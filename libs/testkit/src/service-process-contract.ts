import { type NodeProcess, startNodeProcess } from './node-process.js';
import { processExists } from './owned-process.js';
import { type PostgresServerProcess, startPostgresServer } from './postgres-server.js';
import { spawnService } from './service-process.js';

export interface ServiceProcessContractOptions {
  /** The name the service logs as, e.g. `push`. */
  readonly serviceName: string;
  /** Absolute path of the compiled `main.js`: the service is run as production runs it (build first). */
  readonly main: string;
}

/**
 * What every Ringbus service process must do, whatever else it does: start and report its dependencies
 * on /healthz, say which one is down, stop cleanly on SIGTERM, and refuse bad configuration by name.
 * Call it with top-level `await` from a test file.
 */
export async function runServiceProcessContract({
  serviceName,
  main,
}: ServiceProcessContractOptions): Promise<void> {
  // Loaded here, not at the top: the rest of the test kit must stay importable by plain `node` processes.
  const { afterEach, describe, expect, it } = await import('vitest');
  const processes: NodeProcess[] = [];
  const databases: PostgresServerProcess[] = [];
  afterEach(async () => {
    for (const child of processes.splice(0)) await child.stop({ signal: 'SIGKILL', timeoutMs: 1_000 });
    for (const database of databases.splice(0)) await database.stop();
  });

  describe(`${serviceName} service process`, () => {
    it('starts, reports PostgreSQL and NATS up on /healthz, and exits 0 on SIGTERM', async () => {
      const service = await spawnService({ main });
      processes.push(service);
      const health = await service.get('/healthz');
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toEqual({ status: 'ok', checks: { postgres: 'up', nats: 'up' } });
      expect(service.output()).toContain(`"service":"${serviceName}"`);

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
}
