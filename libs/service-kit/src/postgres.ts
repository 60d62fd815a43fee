import pg from 'pg';
import { type CommonServiceConfig, redactUrl } from './config.js';
import { withDeadline } from './deadline.js';
import { DependencyUnavailableError } from './errors.js';
import { type ServiceLogger } from './logger.js';

export type DependencyState = 'up' | 'down';

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Opens the service's PostgreSQL pool and proves it with `SELECT 1`, so a wrong DATABASE_URL stops the
 * start with a clear error instead of failing the first real query.
 */
export async function openPostgresPool(
  config: Pick<CommonServiceConfig, 'DATABASE_URL' | 'SERVICE_NAME'>,
  logger: ServiceLogger,
): Promise<pg.Pool> {
  const location = redactUrl(config.DATABASE_URL);
  const pool = new pg.Pool({
    connectionString: config.DATABASE_URL,
    application_name: config.SERVICE_NAME,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    max: 10,
  });
  // Without a listener, an idle connection dropped by a PostgreSQL restart would crash the process; the
  // pool replaces it on the next query, and /healthz reports the outage meanwhile.
  pool.on('error', (error) => logger.warn({ err: error }, 'an idle PostgreSQL connection failed'));
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new DependencyUnavailableError('postgres', location, { cause: error });
  }
  logger.info({ postgres: location }, 'PostgreSQL pool open');
  return pool;
}

/** `up` when PostgreSQL answers `SELECT 1` within `timeoutMs`. */
export async function probePostgres(pool: pg.Pool, timeoutMs: number): Promise<DependencyState> {
  try {
    await withDeadline(pool.query('SELECT 1'), timeoutMs, 'PostgreSQL did not answer in time');
    return 'up';
  } catch {
    return 'down';
  }
}
