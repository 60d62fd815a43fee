import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type NodeProcess, processExists, spawnService, startNodeProcess } from '@ringbus/testkit';

// Compiled by `npx tsc -b`: the service runs as node runs it in production, from dist/.
const probeService = fileURLToPath(new URL('../dist/test/fixtures/probe-service.js', import.meta.url));

const started: NodeProcess[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) await child.stop({ signal: 'SIGKILL', timeoutMs: 1_000 });
});

async function startProbe(env: Record<string, string> = {}) {
  const service = await spawnService({ main: probeService, env });
  started.push(service);
  return service;
}

async function exitWithin(child: NodeProcess, ms: number) {
  const startedAt = performance.now();
  const exit = await child.waitForExit(ms);
  return { ...exit, afterMs: performance.now() - startedAt };
}

describe('service shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('closes and exits 0 on %s', async (signal) => {
    const service = await startProbe();
    service.kill(signal);
    const exit = await exitWithin(service, 5_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(service.output()).toContain('shutting down');
    expect(service.output()).toContain('NATS drained and PostgreSQL pool closed');
    expect(processExists(service.pid)).toBe(false);
  });

  it('answers 503 to new requests while it closes, and exits 1 at once on a second signal', async () => {
    const service = await startProbe({ FIXTURE_STALL_SHUTDOWN: '1' });
    service.kill('SIGTERM');
    await service.waitForOutput(/stalling the shutdown/);
    expect((await service.get('/healthz')).status).toBe(503);

    service.kill('SIGTERM');
    const exit = await exitWithin(service, 3_000);
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(service.output()).toContain('second shutdown signal');
  });

  it('exits 1 when the close outlasts the shutdown deadline', async () => {
    const service = await startProbe({ FIXTURE_STALL_SHUTDOWN: '1', FIXTURE_SHUTDOWN_TIMEOUT_MS: '700' });
    service.kill('SIGTERM');
    const exit = await exitWithin(service, 5_000);
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(exit.afterMs).toBeGreaterThanOrEqual(600);
    expect(service.output()).toContain('shutdown did not finish in time');
  });

  it('exits 1 naming every bad variable when the configuration is bad', async () => {
    const child = await startNodeProcess({
      args: [probeService],
      env: { HTTP_PORT: 'abc', LOG_LEVEL: 'loud' },
    });
    started.push(child);
    const exit = await exitWithin(child, 10_000);
    expect(exit.code).toBe(1);
    expect(child.output()).toMatch(/HTTP_PORT must be a whole number/);
    expect(child.output()).toMatch(/LOG_LEVEL must be one of/);
    expect(child.output()).toContain('CONFIGURATION_INVALID');
  });
});
