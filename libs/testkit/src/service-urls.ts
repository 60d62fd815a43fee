import { existsSync } from 'node:fs';

export const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const LOCAL_NATS_URL = 'nats://127.0.0.1:4222';

type UrlSource = 'env' | 'testcontainers' | 'local';
export interface ResolvedUrl {
  readonly url: string;
  readonly source: UrlSource;
}

let databaseUrlPromise: Promise<ResolvedUrl> | undefined;
let natsUrlPromise: Promise<ResolvedUrl> | undefined;

/** DATABASE_URL first, then a PostgreSQL testcontainer where a Docker engine answers, then the local default. */
export function testDatabaseUrl(): Promise<ResolvedUrl> {
  databaseUrlPromise ??= resolveUrl('DATABASE_URL', LOCAL_DATABASE_URL, async () => {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15').start();
    return container.getConnectionUri();
  });
  return databaseUrlPromise;
}

/** NATS_URL first, then a NATS (JetStream) testcontainer where a Docker engine answers, then the local default. */
export function testNatsUrl(): Promise<ResolvedUrl> {
  natsUrlPromise ??= resolveUrl('NATS_URL', LOCAL_NATS_URL, async () => {
    const { NatsContainer } = await import('@testcontainers/nats');
    const container = await new NatsContainer('nats:2.10').withJetStream().start();
    return `nats://${container.getHost()}:${container.getMappedPort(4222)}`;
  });
  return natsUrlPromise;
}

async function resolveUrl(
  envName: string,
  localDefault: string,
  startContainer: () => Promise<string>,
): Promise<ResolvedUrl> {
  const fromEnv = process.env[envName];
  if (fromEnv !== undefined && fromEnv !== '') return { url: fromEnv, source: 'env' };
  if (dockerEngineMayAnswer()) {
    try {
      return { url: await startContainer(), source: 'testcontainers' };
    } catch {
      // A socket without an engine behind it: fall through to the local service.
    }
  }
  return { url: localDefault, source: 'local' };
}

function dockerEngineMayAnswer(): boolean {
  if (process.env['RINGBUS_TEST_NO_CONTAINERS'] === '1') return false;
  return Boolean(process.env['DOCKER_HOST']) || existsSync('/var/run/docker.sock');
}
