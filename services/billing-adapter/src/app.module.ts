import { Module } from '@nestjs/common';

/**
 * The billing-adapter service: the CDR projection, the hand-off to the billing system and reconciliation. The service frame around it (config, logger, PostgreSQL pool, NATS
 * connection, /healthz, shutdown) comes from @ringbus/service-kit.
 */
@Module({})
export class AppModule {}
