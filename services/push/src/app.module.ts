import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { METRICS_REGISTRY, POSTGRES_POOL, SERVICE_LOGGER, type ServiceLogger } from '@ringbus/service-kit';
import { type Registry } from 'prom-client';
import type pg from 'pg';
import { pushBusController, pushTokenSubjects } from './adapters/bus/push-bus.controller.js';
import { PushMetrics } from './adapters/metrics/push-metrics.js';
import { migratePushSchema, pushDatabase, resolvePushSchema } from './adapters/postgres/push-schema.js';
import {
  PostgresPushDeliveryLog,
  PostgresPushTokenRegistry,
} from './adapters/postgres/postgres-push-tokens.js';
import { type ConfiguredPushProviders, pushProvidersFrom } from './adapters/push-providers.js';
import { IncomingCallPusher } from './app/incoming-call-pusher.js';
import { PushTokenCommands } from './app/push-token-commands.js';
import { type PushConfig } from './config.js';

const PUSH_SCHEMA = Symbol('push.schema');
const PUSH_PROVIDERS = Symbol('push.providers');

/** The push tables, migrated before anything uses them. */
@Injectable()
class PushSchemaMigration implements OnModuleInit {
  constructor(
    @Inject(POSTGRES_POOL) private readonly pool: pg.Pool,
    @Inject(PUSH_SCHEMA) private readonly schema: string,
  ) {}

  async onModuleInit(): Promise<void> {
    await migratePushSchema(this.pool, this.schema);
  }
}

/** Closes the APNs connection when the service stops. */
@Injectable()
class PushProvidersShutdown implements OnApplicationShutdown {
  constructor(@Inject(PUSH_PROVIDERS) private readonly providers: ConfiguredPushProviders) {}

  async onApplicationShutdown(): Promise<void> {
    await this.providers.close();
  }
}

@Module({})
export class AppModule {
  /**
   * The push service: push tokens (registered by command) and incoming-call pushes through FCM and
   * APNs. The frame (config, logger, PostgreSQL pool, NATS, /healthz, shutdown) comes from
   * @ringbus/service-kit; the bus transport is connected by `consumePushEvents`. `PushMetrics` registers
   * the push metrics in the service's registry (served on /metrics).
   */
  static forRoot(config: PushConfig): DynamicModule {
    return {
      module: AppModule,
      controllers: [pushBusController(pushTokenSubjects(config.PUSH_COMMAND_SUBJECT_PREFIX))],
      providers: [
        {
          provide: PUSH_SCHEMA,
          useFactory: (pool: pg.Pool) => resolvePushSchema(pool, config.PUSH_SCHEMA),
          inject: [POSTGRES_POOL],
        },
        PushSchemaMigration,
        { provide: PUSH_PROVIDERS, useFactory: () => pushProvidersFrom(config) },
        PushProvidersShutdown,
        {
          provide: PushMetrics,
          useFactory: (registry: Registry) => new PushMetrics(registry),
          inject: [METRICS_REGISTRY],
        },
        {
          provide: PostgresPushTokenRegistry,
          useFactory: (pool: pg.Pool, schema: string) =>
            new PostgresPushTokenRegistry(pushDatabase(pool, schema)),
          inject: [POSTGRES_POOL, PUSH_SCHEMA],
        },
        {
          provide: PushTokenCommands,
          useFactory: (registry: PostgresPushTokenRegistry) => new PushTokenCommands(registry),
          inject: [PostgresPushTokenRegistry],
        },
        {
          provide: IncomingCallPusher,
          useFactory: (
            pool: pg.Pool,
            schema: string,
            registry: PostgresPushTokenRegistry,
            providers: ConfiguredPushProviders,
            metrics: PushMetrics,
            logger: ServiceLogger,
          ) =>
            new IncomingCallPusher(
              {
                deliveries: new PostgresPushDeliveryLog(pushDatabase(pool, schema)),
                tokens: registry,
                providers: providers.providers,
                observer: metrics,
                logger: logger.child({ component: 'incoming-call-pusher' }),
              },
              {
                retry: {
                  maxAttempts: config.PUSH_MAX_ATTEMPTS,
                  baseDelayMs: config.PUSH_RETRY_BASE_MS,
                  maxDelayMs: config.PUSH_RETRY_MAX_MS,
                },
                maxCallAgeMs: config.PUSH_MAX_CALL_AGE_SECONDS * 1000,
              },
            ),
          inject: [
            POSTGRES_POOL,
            PUSH_SCHEMA,
            PostgresPushTokenRegistry,
            PUSH_PROVIDERS,
            PushMetrics,
            SERVICE_LOGGER,
          ],
        },
      ],
    };
  }
}
