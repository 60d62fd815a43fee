import { freeLoopbackPort } from './free-port.js';
import { httpGet, type HttpReply } from './http-probe.js';
import { type NodeProcess, startNodeProcess } from './node-process.js';
import { testDatabaseUrl, testNatsUrl } from './service-urls.js';

export interface ServiceProcessOptions {
  /** The compiled entry point, e.g. `services/push/dist/src/main.js`. */
  readonly main: string;
  /** Overrides of the environment; HTTP_PORT, DATABASE_URL and NATS_URL are filled in unless given. */
  readonly env?: Readonly<Record<string, string>>;
  /** Path polled until it answers 200 (default `/healthz`); null to return as soon as it is spawned. */
  readonly readyPath?: string | null;
  readonly readyTimeoutMs?: number;
}

export interface ServiceProcess extends NodeProcess {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** One GET on `path` of this service. */
  get(path: string): Promise<HttpReply>;
}

/**
 * Runs a compiled Ringbus service as `node <main>` on a free loopback port, pointed at the test's
 * PostgreSQL and NATS, and waits until its health check passes.
 */
export async function spawnService(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const port = await freeLoopbackPort();
  const env = {
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
    DATABASE_URL: (await testDatabaseUrl()).url,
    NATS_URL: (await testNatsUrl()).url,
    ...options.env,
  };
  const child = await startNodeProcess({ args: [options.main], env });
  const baseUrl = `http://127.0.0.1:${port}`;
  const readyPath = options.readyPath === undefined ? '/healthz' : options.readyPath;
  if (readyPath !== null) {
    try {
      await child.waitForHttp(`${baseUrl}${readyPath}`, { timeoutMs: options.readyTimeoutMs ?? 20_000 });
    } catch (error) {
      await child.stop({ signal: 'SIGKILL', timeoutMs: 1_000 });
      throw error;
    }
  }
  return { ...child, port, baseUrl, get: (path) => httpGet(`${baseUrl}${path}`, 5_000) };
}
