import { Module } from '@nestjs/common';

/**
 * The signaling service: the softphones' WebSocket protocol and REST API, sessions and presence. The service frame around it (config, logger, PostgreSQL pool, NATS
 * connection, /healthz, shutdown) comes from @ringbus/service-kit.
 */
@Module({})
export class AppModule {}
