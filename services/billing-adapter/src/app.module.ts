import { type DynamicModule, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { createPostgresEventStore } from '@ringbus/event-store';
import { POSTGRES_POOL, SERVICE_LOGGER, type ServiceLogger } from '@ringbus/service-kit';
import type pg from 'pg';
import { CdrEventsController } from './adapters/bus/cdr-events.controller.js';
import { eventStoreCallStreams } from './adapters/event-store/event-store-call-events.js';
import {
  billingDatabase,
  migrateBillingSchema,
  resolveBillingSchema,
} from './adapters/postgres/billing-schema.js';
import { PostgresCdrStore } from './adapters/postgres/postgres-cdr-store.js';
import { CdrProjection } from './app/cdr-projection.js';
import { type BillingAdapterConfig } from './config.js';

const BILLING_SCHEMA = Symbol('billing.schema');

/** The schema of the CDR tables, resolved and migrated before anything uses it. */
@Injectable()
class BillingSchemaMigration implements OnModuleInit {
  constructor(
    @Inject(POSTGRES_POOL) private readonly pool: pg.Pool,
    @Inject(BILLING_SCHEMA) private readonly schema: string,
  ) {}

  async onModuleInit(): Promise<void> {
    await migrateBillingSchema(this.pool, this.schema);
  }
}

@Module({})
export class AppModule {
  /**
   * The billing-adapter service: the CDR projection (later: the hand-off to the billing system and
   * reconciliation). The frame around it (config, logger, PostgreSQL pool, NATS connection, /healthz,
   * shutdown) comes from @ringbus/service-kit; its durable consumer is connected by `consumeCdrEvents`.
   */
  static forRoot(config: BillingAdapterConfig): DynamicModule {
    return {
      module: AppModule,
      controllers: [CdrEventsController],
      providers: [
        {
          provide: BILLING_SCHEMA,
          useFactory: (pool: pg.Pool) => resolveBillingSchema(pool, config.CDR_SCHEMA),
          inject: [POSTGRES_POOL],
        },
        BillingSchemaMigration,
        {
          provide: CdrProjection,
          useFactory: (pool: pg.Pool, schema: string, logger: ServiceLogger) =>
            new CdrProjection(
              new PostgresCdrStore(billingDatabase(pool, schema)),
              eventStoreCallStreams(createPostgresEventStore({ pool })),
              { defaultCountryCode: config.CDR_DEFAULT_COUNTRY_CODE },
              logger.child({ component: 'cdr-projection' }),
            ),
          inject: [POSTGRES_POOL, BILLING_SCHEMA, SERVICE_LOGGER],
        },
      ],
    };
  }
}
