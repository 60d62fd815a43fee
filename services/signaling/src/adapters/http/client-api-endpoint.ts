import { type NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createPostgresEventStore } from '@ringbus/event-store';
import { NATS_CONNECTION, POSTGRES_POOL, SERVICE_LOGGER, type ServiceLogger } from '@ringbus/service-kit';
import { type FastifyInstance } from 'fastify';
import type pg from 'pg';
import { ClientApi } from '../../app/client-api.js';
import { type SignalingConfig } from '../../config.js';
import { SIGNALING_VERSION } from '../../version.js';
import { DEFAULT_SCRYPT_COST, PasswordVerifier } from '../crypto/password-kdf.js';
import { NatsPushTokenRegistry } from '../nats/push-token-commands.js';
import { NatsSessionAttachments } from '../nats/session-attachments.js';
import { PostgresSignInCredentials } from '../postgres/credentials.js';
import { PostgresSessionTokens } from '../postgres/session-tokens.js';
import { signalingDatabase } from '../postgres/signaling-schema.js';
import { PostgresSubscriberDirectory } from '../postgres/subscribers.js';
import { PostgresUserCallIndex } from '../postgres/user-calls.js';
import { clientApiRoutes, type SystemInfoSource } from './api-routes.js';
import { mountClientApi } from './client-api-server.js';
import { openApiDocument } from './openapi.js';

export const CLIENT_API_CONFIG = Symbol('signaling.client-api-config');

/** What `GET /system-info` tells the app: versions, and the features of the built-in subscriber data. */
class PostgresSystemInfo implements SystemInfoSource {
  private postgresVersion: Promise<string> | undefined;

  constructor(private readonly pool: pg.Pool) {}

  async systemInfo() {
    this.postgresVersion ??= this.pool
      .query<{ server_version: string }>('show server_version')
      .then((result) => result.rows[0]?.server_version ?? 'unknown');
    const postgres = await this.postgresVersion.catch((error: unknown) => {
      this.postgresVersion = undefined;
      throw error;
    });
    return {
      core: { version: SIGNALING_VERSION },
      postgres: { version: postgres },
      adapter: {
        name: 'ringbus-builtin',
        version: SIGNALING_VERSION,
        supported: ['passwordSignin', 'callHistory', 'extensions'],
        custom: {},
      },
      // Signaling does not talk to Janus itself (media-orchestration does).
      janus: {},
    };
  }
}

/** The softphones' REST API (docs/api.md) on this instance's HTTP server. */
@Injectable()
export class ClientApiEndpoint implements OnModuleInit {
  constructor(
    @Inject(CLIENT_API_CONFIG) private readonly config: SignalingConfig,
    @Inject(POSTGRES_POOL) private readonly pool: pg.Pool,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
    @Inject(HttpAdapterHost) private readonly http: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const { config } = this;
    const db = signalingDatabase(this.pool);
    const sessions = new PostgresSessionTokens(db);
    const subscribers = new PostgresSubscriberDirectory(db);
    const api = new ClientApi({
      sessions,
      credentials: new PostgresSignInCredentials(db),
      passwords: new PasswordVerifier({ ...DEFAULT_SCRYPT_COST, logN: config.PASSWORD_SCRYPT_LOG_N }),
      subscribers,
      userCalls: new PostgresUserCallIndex(db),
      store: createPostgresEventStore({ pool: this.pool }),
      pushTokens: new NatsPushTokenRegistry(this.nats, config.PUSH_COMMAND_SUBJECT_PREFIX),
      sessionEnds: new NatsSessionAttachments({
        nats: this.nats,
        subjectPrefix: config.SIGNALING_SUBJECT_PREFIX,
        instanceId: config.INSTANCE_ID,
        logger: this.logger.child({ component: 'client-api' }),
      }),
      lockout: {
        maxFailures: config.SIGNIN_MAX_FAILURES,
        windowMs: config.SIGNIN_FAILURE_WINDOW_SECONDS * 1000,
        lockoutMs: config.SIGNIN_LOCKOUT_SECONDS * 1000,
      },
      sessionTtlMs: config.SESSION_TTL_HOURS * 3600 * 1000,
      clock: Date.now,
    });
    const routes = clientApiRoutes(api, new PostgresSystemInfo(this.pool));
    mountClientApi(this.http.httpAdapter.getInstance<FastifyInstance>(), {
      routes,
      document: openApiDocument(routes, SIGNALING_VERSION),
      defaultTenant: config.DEFAULT_TENANT,
      maxBodyBytes: config.API_MAX_BODY_BYTES,
      rateLimit: { perSecond: config.API_RATE_LIMIT_PER_SECOND, burst: config.API_RATE_LIMIT_BURST },
      signInRateLimit: {
        perMinute: config.SIGNIN_RATE_LIMIT_PER_MINUTE,
        burst: config.SIGNIN_RATE_LIMIT_BURST,
      },
      authorize: (token, tenant) => api.authorize(token, tenant),
      logger: this.logger.child({ component: 'client-api' }),
      clock: Date.now,
    });
  }
}
