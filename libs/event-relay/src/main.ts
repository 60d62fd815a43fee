/**
 * The relay as a process: `node libs/event-relay/dist/src/main.js`. Wiring only; the work is in
 * event-relay.ts. Configuration is the environment (see docs/event-relay.md); SIGTERM or SIGINT lets the
 * batch in flight finish, then exits 0.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { pino } from 'pino';
import { createPostgresEventStore, listenForAppends, migratePostgresEventStore } from '@ringbus/event-store';
import { createEventRelay } from './event-relay.js';
import {
  createPostgresRelayCheckpoint,
  migratePostgresRelayCheckpoint,
} from './postgres-relay-checkpoint.js';
import { parseRelayConfig, type RelayConfig } from './relay-config.js';

async function main(): Promise<void> {
  let config: RelayConfig;
  try {
    config = parseRelayConfig(process.env);
  } catch (error) {
    process.stderr.write(`event-relay: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const logger = pino({
    level: config.LOG_LEVEL,
    base: { service: 'event-relay', relayName: config.RELAY_NAME },
  });

  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 4 });
  // An idle client losing its server (PostgreSQL restart) must not kill the process: the relay retries.
  pool.on('error', (error) => logger.warn({ err: error }, 'PostgreSQL connection lost; the relay retries'));
  let nats: NatsConnection | undefined;
  try {
    // The relay is the store's first reader: on a fresh database it must not wait for a writer to create it.
    await migratePostgresEventStore(pool);
    await migratePostgresRelayCheckpoint(pool);
    nats = await connect({
      servers: config.NATS_URL.split(',').map((server) => server.trim()),
      name: `event-relay:${config.RELAY_NAME}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
    });
    void logConnectionChanges(nats, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'event relay could not reach PostgreSQL or NATS at start');
    await pool.end().catch(() => {});
    process.exit(1);
  }

  const store = createPostgresEventStore({ pool });
  const relay = createEventRelay({
    store,
    nats,
    checkpoint: createPostgresRelayCheckpoint(pool, config.RELAY_NAME),
    streamName: config.RELAY_STREAM_NAME,
    subjectPrefix: config.RELAY_SUBJECT_PREFIX,
    batchSize: config.RELAY_BATCH_SIZE,
    wakeUp:
      config.RELAY_WAKE_UP === 'listen'
        ? (onAppend) =>
            listenForAppends(pool, onAppend, {
              onConnectionLost: (error, retryInMs) =>
                logger.warn({ err: error, retryInMs }, 'LISTEN connection lost; polling until it is back'),
            })
        : undefined,
    idlePollMs: config.RELAY_IDLE_POLL_MS,
    streamReplicas: config.RELAY_STREAM_REPLICAS,
    logger,
  });

  let shuttingDown: Promise<void> | undefined;
  const shutDown = (signal: string): Promise<void> => {
    shuttingDown ??= (async () => {
      logger.info({ signal }, 'stopping after the batch in flight');
      await relay.stop();
      await nats.drain().catch(() => {});
      await store.close();
      await pool.end();
      process.exit(0);
    })();
    return shuttingDown;
  };
  process.once('SIGTERM', () => void shutDown('SIGTERM'));
  process.once('SIGINT', () => void shutDown('SIGINT'));

  try {
    await relay.start();
  } catch (error) {
    logger.fatal({ err: error }, 'event relay could not start');
    await nats.close().catch(() => {});
    await pool.end().catch(() => {});
    process.exit(1);
  }
}

async function logConnectionChanges(nats: NatsConnection, logger: pino.Logger): Promise<void> {
  for await (const status of nats.status()) {
    if (status.type === 'disconnect')
      logger.warn({ server: status.server }, 'NATS disconnected; reconnecting');
    if (status.type === 'reconnect') logger.info({ server: status.server }, 'NATS reconnected');
  }
}

void main();
