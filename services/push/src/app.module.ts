import { Module } from '@nestjs/common';

/**
 * The push service: push tokens and incoming-call pushes through FCM and APNs. The service frame around it (config, logger, PostgreSQL pool, NATS
 * connection, /healthz, shutdown) comes from @ringbus/service-kit.
 */
@Module({})
export class AppModule {}
