import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnModuleInit,
} from '@nestjs/common';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { createCallCommandHandler } from '@ringbus/call-commands';
import { createPostgresEventStore, type EventStore } from '@ringbus/event-store';
import { type NatsConnection } from '@nats-io/transport-node';
import {
  METRICS_REGISTRY,
  NATS_CONNECTION,
  POSTGRES_POOL,
  SERVICE_LOGGER,
  type ServiceLogger,
} from '@ringbus/service-kit';
import { type Registry } from 'prom-client';
import { JanusGatewayPool } from './adapters/janus/janus-gateway-pool.js';
import { NatsMediaCallInbox } from './adapters/nats/nats-media-call-inbox.js';
import { type MediaSchema, migrateMediaSchema } from './adapters/postgres/media-schema.js';
import { JanusSipRegistrar } from './adapters/janus/janus-sip-registrar.js';
import { MediaOrchestrationMetrics } from './adapters/metrics/media-metrics.js';
import { PostgresLiveCallClaims } from './adapters/postgres/postgres-live-call-claims.js';
import { PostgresRegistrationLeases } from './adapters/postgres/postgres-registration-leases.js';
import { ConfiguredSipAccounts } from './adapters/sip-accounts/configured-sip-accounts.js';
import { CallEventsController } from './app/call-events.controller.js';
import { CallRecorder } from './app/call-recorder.js';
import { IncomingCallReception } from './app/incoming-call-reception.js';
import { endCallsLostByRestart } from './app/lost-call-recovery.js';
import { SipRegistrations } from './app/sip-registrations.js';
import { OutgoingCallPlacement } from './app/outgoing-call-placement.js';
import { registeredAccountsOf, type MediaOrchestrationConfig } from './config.js';
import { guestIdentityFor } from './domain/sip-target.js';

// The user part idle SIP handles register with; it stays in the Contact of their calls (Janus builds
// the stack's contact from the first registration), while From carries each call's own identity.
const WARM_LINE_USER = 'ringbus';

export const MEDIA_CONFIG = Symbol('media-orchestration.config');
const EVENT_STORE = Symbol('media-orchestration.event-store');
const LIVE_CALL_CLAIMS = Symbol('media-orchestration.live-call-claims');

/** Prepares the service before its consumer starts, and lets its calls go before it stops. */
@Injectable()
export class MediaOrchestrationLifecycle implements OnModuleInit, BeforeApplicationShutdown {
  constructor(
    @Inject(MEDIA_CONFIG) private readonly config: MediaOrchestrationConfig,
    @Inject(POSTGRES_POOL) private readonly pool: pg.Pool,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
    @Inject(JanusGatewayPool) private readonly gateways: JanusGatewayPool,
    @Inject(LIVE_CALL_CLAIMS) private readonly claims: PostgresLiveCallClaims,
    @Inject(CallRecorder) private readonly recorder: CallRecorder,
    @Inject(OutgoingCallPlacement) private readonly placement: OutgoingCallPlacement,
    @Inject(IncomingCallReception) private readonly reception: IncomingCallReception,
    @Inject(SipRegistrations) private readonly registrations: SipRegistrations,
  ) {}

  async onModuleInit(): Promise<void> {
    await migrateMediaSchema(this.pool);
    const ended = await endCallsLostByRestart(
      this.config.INSTANCE_ID,
      this.claims,
      this.recorder,
      this.logger,
    );
    if (ended > 0) this.logger.warn({ ended }, 'ended the calls a previous run of this instance lost');
    await this.gateways.start();
    await this.registrations.start();
  }

  // Before the consumer closes (Nest disposes transports after this hook): a CallRequested still arriving
  // is refused and redelivered elsewhere, and the live calls are recorded as ended while PostgreSQL is open.
  async beforeApplicationShutdown(): Promise<void> {
    const endedIncoming = await this.reception.stop();
    await this.registrations.stop();
    const ended = (await this.placement.stop()) + endedIncoming;
    await this.gateways.close();
    this.logger.info({ endedCalls: ended }, 'live calls let go, registrations closed, Janus gateways closed');
  }
}

@Module({})
export class AppModule {
  /**
   * The media-orchestration service: the pool of Janus gateways and the outgoing call path. The frame
   * around it (config, logger, PostgreSQL pool, NATS connection, /healthz, shutdown) comes from
   * @ringbus/service-kit; its event consumer is connected by `consumeCallEvents` (call-event-consumer.ts).
   */
  static forRoot(config: MediaOrchestrationConfig): DynamicModule {
    return {
      module: AppModule,
      controllers: [CallEventsController],
      providers: [
        { provide: MEDIA_CONFIG, useValue: config },
        {
          provide: EVENT_STORE,
          useFactory: (pool: pg.Pool) => createPostgresEventStore({ pool }),
          inject: [POSTGRES_POOL],
        },
        {
          provide: JanusGatewayPool,
          useFactory: (logger: ServiceLogger) =>
            new JanusGatewayPool({
              gateways: config.JANUS_GATEWAYS,
              requestTimeoutMs: config.JANUS_REQUEST_TIMEOUT_MS,
              reconnect: {
                initialMs: config.JANUS_RECONNECT_INITIAL_MS,
                maxMs: config.JANUS_RECONNECT_MAX_MS,
              },
              warmLines: config.JANUS_WARM_LINES,
              warmIdentity: guestIdentityFor(WARM_LINE_USER, config.SIP_GUEST_URI),
              logger,
              janodeLogLevel: config.JANODE_LOG_LEVEL,
            }),
          inject: [SERVICE_LOGGER],
        },
        {
          provide: LIVE_CALL_CLAIMS,
          // Not destroyed on shutdown: destroying a Kysely would end the frame's pool.
          useFactory: (pool: pg.Pool) =>
            new PostgresLiveCallClaims(
              new Kysely<MediaSchema>({ dialect: new PostgresDialect({ pool }) }),
              `${config.EVENTS_DURABLE_NAME}:CallRequested`,
            ),
          inject: [POSTGRES_POOL],
        },
        {
          provide: MediaOrchestrationMetrics,
          useFactory: (registry: Registry, gateways: JanusGatewayPool) =>
            new MediaOrchestrationMetrics(registry, gateways),
          inject: [METRICS_REGISTRY, JanusGatewayPool],
        },
        {
          provide: CallRecorder,
          useFactory: (store: EventStore, logger: ServiceLogger, metrics: MediaOrchestrationMetrics) =>
            new CallRecorder(
              metrics.observing(createCallCommandHandler({ store, newEventId: uuidv7 })),
              logger,
            ),
          inject: [EVENT_STORE, SERVICE_LOGGER, MediaOrchestrationMetrics],
        },
        {
          provide: OutgoingCallPlacement,
          useFactory: (
            store: EventStore,
            recorder: CallRecorder,
            claims: PostgresLiveCallClaims,
            gateways: JanusGatewayPool,
            logger: ServiceLogger,
            nats: NatsConnection,
          ) =>
            new OutgoingCallPlacement(
              {
                instanceId: config.INSTANCE_ID,
                defaultRegion: config.DEFAULT_REGION,
                outboundUriTemplate: config.SIP_OUTBOUND_URI,
                maxRequestAgeMs: config.CALL_REQUEST_MAX_AGE_MS,
                hangupGraceMs: config.JANUS_REQUEST_TIMEOUT_MS * 2,
              },
              {
                store,
                recorder,
                claims,
                lines: gateways,
                accounts: new ConfiguredSipAccounts(config.SIP_ACCOUNTS, config.SIP_GUEST_URI),
                inbox: new NatsMediaCallInbox(nats, logger),
                logger,
              },
            ),
          inject: [
            EVENT_STORE,
            CallRecorder,
            LIVE_CALL_CLAIMS,
            JanusGatewayPool,
            SERVICE_LOGGER,
            NATS_CONNECTION,
          ],
        },
        {
          provide: IncomingCallReception,
          useFactory: (
            recorder: CallRecorder,
            claims: PostgresLiveCallClaims,
            logger: ServiceLogger,
            nats: NatsConnection,
          ) =>
            new IncomingCallReception({
              recorder,
              claims,
              inbox: new NatsMediaCallInbox(nats, logger),
              logger,
              newId: uuidv7,
              instanceId: config.INSTANCE_ID,
              hangupGraceMs: config.JANUS_REQUEST_TIMEOUT_MS * 2,
            }),
          inject: [CallRecorder, LIVE_CALL_CLAIMS, SERVICE_LOGGER, NATS_CONNECTION],
        },
        {
          provide: SipRegistrations,
          useFactory: (
            pool: pg.Pool,
            gateways: JanusGatewayPool,
            reception: IncomingCallReception,
            logger: ServiceLogger,
          ) =>
            new SipRegistrations(
              { instanceId: config.INSTANCE_ID, leaseMs: config.REGISTRATION_LEASE_MS },
              {
                accounts: registeredAccountsOf(config),
                leases: new PostgresRegistrationLeases(
                  new Kysely<MediaSchema>({ dialect: new PostgresDialect({ pool }) }),
                ),
                registrar: new JanusSipRegistrar(gateways, config.DEFAULT_REGION, logger),
                reception,
                logger,
              },
            ),
          inject: [POSTGRES_POOL, JanusGatewayPool, IncomingCallReception, SERVICE_LOGGER],
        },
        MediaOrchestrationLifecycle,
      ],
      exports: [JanusGatewayPool, OutgoingCallPlacement, SipRegistrations],
    };
  }
}
