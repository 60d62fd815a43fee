import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type INestApplication } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { CommandBus } from '@ringbus/bus';
import { createCallCommandHandler, type CallCommandHandler } from '@ringbus/call-commands';
import { callStreamId } from '@ringbus/call-domain';
import { createEventRelay, createInMemoryRelayCheckpoint, type EventRelay } from '@ringbus/event-relay';
import {
  createPostgresEventStore,
  migratePostgresEventStore,
  type EventStore,
  type RecordedEvent,
  StreamNotFoundError,
} from '@ringbus/event-store';
import {
  CallCommandSchema,
  MediaCallRequestSchema,
  mediaCallReplyFromJson,
  mediaCallRequestToJson,
  mediaCallSubject,
  type CallEndReason,
  type CallParty,
  type MediaCallReply,
} from '@ringbus/proto';
import { createRingbusApp, createServiceLogger } from '@ringbus/service-kit';
import {
  createTestSchema,
  spawnService,
  startNatsServer,
  type NatsServerProcess,
  type ServiceProcess,
  type TestSchema,
} from '@ringbus/testkit';
import { consumeCallEvents } from '../../src/adapters/bus/call-event-consumer.js';
import { AppModule } from '../../src/app.module.js';
import { loadMediaOrchestrationConfig, type MediaOrchestrationConfig } from '../../src/config.js';

/** PostgreSQL through its Unix socket: the host's TCP loopback is not reachable from the namespace. */
const SOCKET_DATABASE_URL = 'postgres://postgres@localhost/test?host=/var/run/postgresql';
const TENANT = 'acme';
const MAIN = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url));

export interface GatewayEntry {
  readonly id: string;
  readonly region: string;
  readonly wsUrl: string;
  readonly capacity: number;
}

export interface ServiceSettings {
  readonly gateways: readonly GatewayEntry[];
  /** The sipp that plays the carrier: calls go to `sip:{number}@127.0.0.1:<port>`. */
  readonly carrierSipPort: number;
  readonly instanceId: string;
  /** Idle SIP handles per gateway (JANUS_WARM_LINES); the service's default when absent. */
  readonly warmLines?: number;
  /** SIP_ACCOUNTS: accounts with a `registrar` are registered for incoming calls. */
  readonly sipAccounts?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface RequestedCall {
  readonly callId: string;
  /** Wall clock when CallRequested was stored (the command handler returned). */
  readonly requestedAtMs: number;
}

export interface CallEndedFields {
  readonly reason: CallEndReason;
  readonly hungUpBy: CallParty;
  readonly sipCode: number;
  readonly q850Cause: number;
  readonly reasonText: string;
}

/**
 * Everything around media-orchestration in the namespace: a nats-server of its own, a test schema in
 * PostgreSQL (Unix socket) holding the event store, the relay in-process, and the call command handler
 * the softphone side would use. Janus and sipp are started by the tests.
 */
export class OutgoingCallPlatform {
  private readonly apps: INestApplication[] = [];
  private readonly processes: ServiceProcess[] = [];

  private constructor(
    readonly nats: NatsServerProcess,
    readonly natsConnection: NatsConnection,
    readonly database: TestSchema,
    readonly store: EventStore,
    readonly relay: EventRelay,
    readonly commands: CallCommandHandler,
  ) {}

  static async start(): Promise<OutgoingCallPlatform> {
    process.env['DATABASE_URL'] ??= SOCKET_DATABASE_URL;
    const nats = await startNatsServer();
    const natsConnection = await connect({ servers: nats.url });
    const database = await createTestSchema('media_e2e');
    await migratePostgresEventStore(database.pool);
    const store = createPostgresEventStore({ pool: database.pool });
    // Polling every 5 ms rather than the default 100 ms, so the relay's idle wait does not hide ours.
    const relay = createEventRelay({
      store,
      nats: natsConnection,
      checkpoint: createInMemoryRelayCheckpoint('media-e2e'),
      idlePollMs: 5,
    });
    await relay.start();
    const commands = createCallCommandHandler({ store, newEventId: uuidv7 });
    return new OutgoingCallPlatform(nats, natsConnection, database, store, relay, commands);
  }

  /** The service's environment for these settings, as an operator would write it. */
  serviceEnv(settings: ServiceSettings): Record<string, string> {
    const search = encodeURIComponent(`-c search_path=${this.database.schema}`);
    return {
      DATABASE_URL: `${SOCKET_DATABASE_URL}&options=${search}`,
      NATS_URL: this.nats.url,
      JANUS_GATEWAYS: JSON.stringify(settings.gateways),
      DEFAULT_REGION: settings.gateways[0]?.region ?? 'local',
      SIP_OUTBOUND_URI: `sip:{number}@127.0.0.1:${settings.carrierSipPort}`,
      SIP_GUEST_URI: 'sip:{caller}@127.0.0.1',
      INSTANCE_ID: settings.instanceId,
      // @ringbus/bus can leave the event in flight at a graceful close unacked; with the default 30 s
      // the test's next service would wait that long for it.
      EVENTS_ACK_WAIT_MS: '2000',
      JANUS_RECONNECT_INITIAL_MS: '200',
      JANUS_RECONNECT_MAX_MS: '1000',
      LOG_LEVEL: process.env['E2E_LOG_LEVEL'] ?? 'error',
      ...(settings.warmLines === undefined ? {} : { JANUS_WARM_LINES: String(settings.warmLines) }),
      ...(settings.sipAccounts === undefined ? {} : { SIP_ACCOUNTS: JSON.stringify(settings.sipAccounts) }),
    };
  }

  /** media-orchestration in this process, as main.ts wires it, without the HTTP listener. */
  async startService(
    settings: ServiceSettings,
  ): Promise<{ app: INestApplication; config: MediaOrchestrationConfig }> {
    const config = loadMediaOrchestrationConfig({ ...this.serviceEnv(settings), HTTP_PORT: '8081' });
    const app = await createRingbusApp(AppModule.forRoot(config), config, {
      logger: createServiceLogger(config),
    });
    this.apps.push(app);
    const consumer = await consumeCallEvents(app, config);
    await consumer.started;
    return { app, config };
  }

  /** media-orchestration as production runs it: `node dist/src/main.js`, ready when /healthz says so. */
  async spawnService(settings: ServiceSettings): Promise<ServiceProcess> {
    const service = await spawnService({ main: MAIN, env: this.serviceEnv(settings) });
    this.processes.push(service);
    return service;
  }

  async stopService(app: INestApplication): Promise<void> {
    this.apps.splice(this.apps.indexOf(app), 1);
    await app.close();
  }

  /** The softphone side: RequestCall through the one call command handler. */
  async requestCall(sdpOffer: string, callee = '+15550100'): Promise<RequestedCall> {
    const callId = uuidv7();
    await this.commands(
      create(CallCommandSchema, {
        commandId: uuidv7(),
        callId,
        occurredAt: timestampFromMs(Date.now()),
        command: {
          case: 'requestCall',
          value: { userId: 'user-1', caller: '1001', callee, sdpOffer, clientCallId: `client-${callId}` },
        },
      }),
      { tenant: TENANT, traceparent: '' },
    );
    return { callId, requestedAtMs: Date.now() };
  }

  /** Our user hangs up (what signaling does on the softphone's `hangup`). */
  async hangUpAsCaller(callId: string, reason: CallEndReason, hungUpBy: CallParty): Promise<void> {
    await this.commands(
      create(CallCommandSchema, {
        commandId: uuidv7(),
        callId,
        occurredAt: timestampFromMs(Date.now()),
        command: {
          case: 'hangup',
          value: { reason, hungUpBy, sipCode: 0, q850Cause: 0, reasonText: 'user hung up' },
        },
      }),
      { tenant: TENANT, traceparent: '' },
    );
  }

  /** What signaling sends for the softphone's hold, DTMF, hangup, ...: a media request on the call's subject. */
  async mediaRequest(
    callId: string,
    request: NonNullable<MessageInitShape<typeof MediaCallRequestSchema>['request']>,
  ): Promise<MediaCallReply['outcome']> {
    const message = create(MediaCallRequestSchema, { requestId: uuidv7(), callId, request });
    const result = await new CommandBus(this.natsConnection).request<unknown>(
      mediaCallSubject(callId),
      mediaCallRequestToJson(message),
    );
    return mediaCallReplyFromJson(result).outcome;
  }

  async events(callId: string): Promise<readonly RecordedEvent[]> {
    try {
      return await this.store.readStream(callStreamId(callId));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  /** The first event of `type` in the call's stream, waiting for it (polls the store every 10 ms). */
  async waitForEvent(callId: string, type: string, timeoutMs = 10_000): Promise<RecordedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const events = await this.events(callId);
      const found = events.find((event) => event.type === type);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `call ${callId} has no ${type} after ${timeoutMs} ms; its stream: ${events.map((e) => e.type).join(', ') || '(empty)'}`,
        );
      }
      await sleep(10);
    }
  }

  /** The CallOffered recorded for the carrier's Call-ID, waiting for it (scans the store in global order). */
  async waitForOffer(carrierSipCallId: string, timeoutMs = 10_000): Promise<RecordedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const events = await this.store.readAll({ maxCount: 10_000 });
      const offer = events.find(
        (event) =>
          event.type === 'CallOffered' &&
          (event.data as { carrierSipCallId?: unknown }).carrierSipCallId === carrierSipCallId,
      );
      if (offer !== undefined) return offer;
      if (Date.now() > deadline)
        throw new Error(`no CallOffered for ${carrierSipCallId} after ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  async eventTypes(callId: string): Promise<string[]> {
    return (await this.events(callId)).map((event) => event.type);
  }

  /** Stops every service a test started, so none of them takes the next test's events. */
  async stopServices(): Promise<void> {
    for (const app of this.apps.splice(0)) await app.close().catch(() => undefined);
    for (const child of this.processes.splice(0)) await child.stop({ timeoutMs: 5_000 });
  }

  async close(): Promise<void> {
    await this.stopServices();
    await this.relay.stop();
    await this.natsConnection.drain().catch(() => undefined);
    await this.nats.stop();
    await this.database.drop();
  }
}
