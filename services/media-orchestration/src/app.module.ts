import { Module } from '@nestjs/common';

/**
 * The media-orchestration service: the pool of Janus gateways, SIP registrations, SIP Call-IDs and the JSEP relay. The service frame around it (config, logger, PostgreSQL pool, NATS
 * connection, /healthz, shutdown) comes from @ringbus/service-kit.
 */
@Module({})
export class AppModule {}
