import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type CommonServiceConfig, redactUrl } from './config.js';
import { withDeadline } from './deadline.js';
import { DependencyUnavailableError } from './errors.js';
import { type ServiceLogger } from './logger.js';
import { type DependencyState } from './postgres.js';

const CONNECT_TIMEOUT_MS = 5_000;

export function natsServers(natsUrl: string): string[] {
  return natsUrl
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server !== '');
}

/**
 * Connects to NATS and keeps reconnecting forever once connected: a NATS restart must not end a service
 * that is carrying calls. The first connection must succeed, so a wrong NATS_URL stops the start.
 */
export async function connectNats(
  config: Pick<CommonServiceConfig, 'NATS_URL' | 'SERVICE_NAME'>,
  logger: ServiceLogger,
): Promise<NatsConnection> {
  const location = redactUrl(config.NATS_URL);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: natsServers(config.NATS_URL),
      name: config.SERVICE_NAME,
      timeout: CONNECT_TIMEOUT_MS,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
    });
  } catch (error) {
    throw new DependencyUnavailableError('nats', location, { cause: error });
  }
  logger.info({ nats: location, server: nc.getServer() }, 'NATS connected');
  void logConnectionChanges(nc, logger);
  return nc;
}

async function logConnectionChanges(nc: NatsConnection, logger: ServiceLogger): Promise<void> {
  for await (const status of nc.status()) {
    switch (status.type) {
      case 'disconnect':
        logger.warn({ server: status.server }, 'NATS disconnected; reconnecting');
        break;
      case 'reconnect':
        logger.info({ server: status.server }, 'NATS reconnected');
        break;
      case 'error':
        logger.warn({ err: status.error }, 'NATS server reported an error');
        break;
      default:
        break;
    }
  }
}

/**
 * `up` when the connection is open and the server answers a ping within `timeoutMs`; a connection that
 * is reconnecting is not closed yet, but it cannot carry events, so it counts as down.
 */
export async function probeNats(nc: NatsConnection, timeoutMs: number): Promise<DependencyState> {
  if (nc.isClosed() || nc.isDraining()) return 'down';
  try {
    await withDeadline(nc.rtt(), timeoutMs, 'NATS did not answer in time');
    return 'up';
  } catch {
    return 'down';
  }
}
