import { type Server } from 'node:http';
import { type NatsConnection } from '@nats-io/transport-node';
import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { migrateBusSchema } from '@ringbus/bus';
import { createCallCommandHandler } from '@ringbus/call-commands';
import { createPostgresEventStore, type EventStore } from '@ringbus/event-store';
import { NATS_CONNECTION, POSTGRES_POOL, SERVICE_LOGGER, type ServiceLogger } from '@ringbus/service-kit';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { LiveCallProjectionController } from './adapters/bus/live-call-projection.controller.js';
import { CLIENT_API_CONFIG, ClientApiEndpoint } from './adapters/http/client-api-endpoint.js';
import { NatsMediaLegs } from './adapters/nats/nats-media-legs.js';
import { CallEventFeed } from './adapters/nats/call-event-feed.js';
import { NatsSessionAttachments } from './adapters/nats/session-attachments.js';
import { PostgresLiveCallProjectionStore, PostgresLiveCalls } from './adapters/postgres/live-calls.js';
import { PostgresSessionTokens } from './adapters/postgres/session-tokens.js';
import { migrateSignalingSchema, signalingDatabase } from './adapters/postgres/signaling-schema.js';
import { PostgresSubscriberDirectory } from './adapters/postgres/subscribers.js';
import { SignalingSocketServer } from './adapters/ws/signaling-socket-server.js';
import { CallEventFanout } from './app/call-event-fanout.js';
import { CallRequests } from './app/call-requests.js';
import { LiveCallProjection } from './app/live-call-projection.js';
import { SignalingSession, type SessionServices } from './app/signaling-session.js';
import { type SignalingConfig } from './config.js';

export const SIGNALING_CONFIG = Symbol('signaling.config');

// Fixed by the public clients rather than configured: the Vue dialer gives up on a request after 5 s.
const REQUEST_DEADLINE_MS = 4_500;
// Below the request deadline, so a media-orchestration that does not answer yields our 503, not a 504.
const MEDIA_REQUEST_TIMEOUT_MS = 3_500;
const MAX_PENDING_REQUESTS = 16;
const MAX_PENDING_EVENTS = 1_000;
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * The softphone endpoint of this instance: the WebSocket server on the HTTP server, the feed of call
 * events to its sockets, and the schema they need. Sockets close (1001) before the HTTP server and the
 * shared connections do, so clients reconnect to another instance while this one drains.
 */
@Injectable()
export class SignalingEndpoint implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly sockets: SignalingSocketServer;
  private readonly feed: CallEventFeed;
  readonly fanout = new CallEventFanout();

  constructor(
    @Inject(SIGNALING_CONFIG) private readonly config: SignalingConfig,
    @Inject(POSTGRES_POOL) private readonly pool: pg.Pool,
    @Inject(NATS_CONNECTION) nats: NatsConnection,
    @Inject(SERVICE_LOGGER) logger: ServiceLogger,
    @Inject(HttpAdapterHost) private readonly http: HttpAdapterHost,
  ) {
    const db = signalingDatabase(pool);
    const store: EventStore = createPostgresEventStore({ pool });
    const liveCalls = new PostgresLiveCalls(db);
    const sessionLogger = logger.child({ component: 'signaling-socket', instanceId: config.INSTANCE_ID });
    const services: SessionServices = {
      tokens: new PostgresSessionTokens(db),
      subscribers: new PostgresSubscriberDirectory(db),
      liveCalls,
      attachments: new NatsSessionAttachments({
        nats,
        subjectPrefix: config.SIGNALING_SUBJECT_PREFIX,
        instanceId: config.INSTANCE_ID,
        logger: sessionLogger,
      }),
      fanout: this.fanout,
      store,
      requests: new CallRequests({
        liveCalls,
        store,
        commands: createCallCommandHandler({ store, newEventId: uuidv7 }),
        media: new NatsMediaLegs(nats, MEDIA_REQUEST_TIMEOUT_MS, uuidv7),
        newId: uuidv7,
        clock: Date.now,
      }),
      settings: {
        keepaliveIntervalMs: config.KEEPALIVE_INTERVAL_MS,
        keepaliveGraceMs: config.KEEPALIVE_GRACE_MS,
        rateLimit: {
          ratePerSecond: config.RATE_LIMIT_PER_SECOND,
          burst: config.RATE_LIMIT_BURST,
          closeAfter: config.RATE_LIMIT_CLOSE_AFTER,
        },
        requestDeadlineMs: REQUEST_DEADLINE_MS,
        maxPendingRequests: MAX_PENDING_REQUESTS,
        maxPendingEvents: MAX_PENDING_EVENTS,
        maxBufferedBytes: MAX_BUFFERED_BYTES,
      },
      logger: sessionLogger,
      clock: Date.now,
      newId: uuidv7,
    };
    this.sockets = new SignalingSocketServer({
      maxFrameBytes: config.MAX_FRAME_BYTES,
      logger: sessionLogger,
      openSession: (connection, target) => new SignalingSession(connection, target, services),
    });
    this.feed = new CallEventFeed({
      nats,
      streamName: config.EVENTS_STREAM_NAME,
      subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
      logger: logger.child({ component: 'call-event-feed' }),
      onEvent: (event) => this.fanout.route(event),
      startedAt: new Date(),
    });
  }

  /** Sockets open on this instance now. */
  get openSockets(): number {
    return this.sockets.openSockets;
  }

  async onModuleInit(): Promise<void> {
    await migrateSignalingSchema(this.pool);
    await migrateBusSchema(this.pool);
  }

  onApplicationBootstrap(): void {
    this.feed.start();
    this.sockets.attach(this.http.httpAdapter.getHttpServer() as Server);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.sockets.close();
    await this.feed.stop();
  }
}

@Module({})
export class AppModule {
  /**
   * The signaling service: the softphones' WebSocket protocol and REST API, sessions and presence. The frame around it (config, logger, PostgreSQL pool, NATS connection, /healthz, shutdown)
   * comes from @ringbus/service-kit; its durable consumer is connected by `consumeLiveCallEvents`.
   */
  static forRoot(config: SignalingConfig): DynamicModule {
    return {
      module: AppModule,
      controllers: [LiveCallProjectionController],
      providers: [
        { provide: SIGNALING_CONFIG, useValue: config },
        {
          provide: LiveCallProjection,
          useFactory: (pool: pg.Pool, logger: ServiceLogger, nats: NatsConnection) => {
            const db = signalingDatabase(pool);
            return new LiveCallProjection(
              new PostgresLiveCallProjectionStore(db, config.EVENTS_DURABLE_NAME),
              new PostgresSubscriberDirectory(db),
              logger.child({ component: 'live-call-projection' }),
              new NatsMediaLegs(nats, MEDIA_REQUEST_TIMEOUT_MS, uuidv7),
            );
          },
          inject: [POSTGRES_POOL, SERVICE_LOGGER, NATS_CONNECTION],
        },
        SignalingEndpoint,
        { provide: CLIENT_API_CONFIG, useValue: config },
        ClientApiEndpoint,
      ],
      exports: [SignalingEndpoint],
    };
  }
}
