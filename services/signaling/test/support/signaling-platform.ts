import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type INestApplication } from '@nestjs/common';
import { pino } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { createCallCommandHandler, type CallCommandHandler } from '@ringbus/call-commands';
import { callStreamId, sipCallIdFor } from '@ringbus/call-domain';
import { SoftphoneClient, type SoftphoneClientOptions } from '@ringbus/client-sdk';
import { createEventRelay, createInMemoryRelayCheckpoint, type EventRelay } from '@ringbus/event-relay';
import {
  createPostgresEventStore,
  migratePostgresEventStore,
  StreamNotFoundError,
  type EventStore,
  type RecordedEvent,
} from '@ringbus/event-store';
import { CallCommandSchema, CallEndReason, CallParty } from '@ringbus/proto';
import { createRingbusApp } from '@ringbus/service-kit';
import { type StateHandshake } from '@ringbus/softphone-protocol';
import {
  createTestSchema,
  freeLoopbackPort,
  testNatsUrl,
  uniqueTestName,
  type TestSchema,
} from '@ringbus/testkit';
import { consumeLiveCallEvents } from '../../src/adapters/bus/live-call-consumer.js';
import { mintSessionToken, type MintedSessionToken } from '../../src/adapters/postgres/session-tokens.js';
import { setSubscriberPassword } from '../../src/adapters/postgres/credentials.js';
import { provisionSubscriber, type SubscriberProfileInput } from '../../src/adapters/postgres/subscribers.js';
import { AppModule, SignalingEndpoint } from '../../src/app.module.js';
import { loadSignalingConfig, type SignalingConfig } from '../../src/config.js';

export const TENANT = 'acme';
/** Password hashes of test users: cheap, and the same cost the instances' decoy uses (`PASSWORD_SCRYPT_LOG_N`). */
export const TEST_SCRYPT_COST = { logN: 10, r: 8, p: 4 };
export const OFFER_SDP =
  'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n' +
  'm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\na=rtpmap:111 opus/48000/2\r\n';
export const ANSWER_SDP =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\nc=IN IP4 127.0.0.1\r\na=sendrecv\r\n';

/** One signaling instance running in this process as main.ts wires it, with its log lines kept. */
export interface SignalingInstance {
  readonly url: string;
  /** `http://127.0.0.1:<port>`: the REST API's origin. */
  readonly httpUrl: string;
  /** Every route the instance's Fastify registered (method, url), as it registered them. */
  readonly routes: ReadonlyArray<{ readonly method: string; readonly url: string }>;
  readonly config: SignalingConfig;
  readonly app: INestApplication;
  readonly endpoint: SignalingEndpoint;
  /** Every log line the instance wrote (JSON). */
  readonly logs: string[];
  close(): Promise<void>;
}

export interface TestUser {
  readonly userId: string;
  readonly callerNumber: string;
  readonly session: MintedSessionToken;
}

/**
 * What a signaling test runs against: its own PostgreSQL schema (event store + signaling tables), its own
 * JetStream stream and subjects, the relay in-process (so stored events reach NATS), and the call command
 * handler media-orchestration would use. Nothing is shared with another test.
 */
export class SignalingPlatform {
  private readonly instances: SignalingInstance[] = [];
  private readonly clients: SoftphoneClient[] = [];

  private constructor(
    readonly schema: TestSchema,
    readonly nats: NatsConnection,
    readonly store: EventStore,
    readonly relay: EventRelay,
    readonly commands: CallCommandHandler,
    readonly names: {
      readonly stream: string;
      readonly subjectPrefix: string;
      readonly signalingPrefix: string;
      readonly durable: string;
      readonly deadLetterStream: string;
      readonly deadLetterPrefix: string;
    },
  ) {}

  static async start(): Promise<SignalingPlatform> {
    const schema = await createTestSchema('signaling');
    await migratePostgresEventStore(schema.pool);
    const nats = await connect({ servers: (await testNatsUrl()).url });
    const names = {
      stream: uniqueTestName('sig_events'),
      subjectPrefix: uniqueTestName('sigev'),
      signalingPrefix: uniqueTestName('sig'),
      durable: uniqueTestName('sig_live'),
      deadLetterStream: uniqueTestName('sig_dlq'),
      deadLetterPrefix: uniqueTestName('sigdlq'),
    };
    const store = createPostgresEventStore({ pool: schema.pool });
    const relay = createEventRelay({
      store,
      nats,
      checkpoint: createInMemoryRelayCheckpoint('signaling-test'),
      streamName: names.stream,
      subjectPrefix: names.subjectPrefix,
      idlePollMs: 10,
      backoff: { initialMs: 20, maxMs: 200 },
    });
    await relay.start();
    const commands = createCallCommandHandler({ store, newEventId: uuidv7 });
    return new SignalingPlatform(schema, nats, store, relay, commands, names);
  }

  /** The environment an operator would give this instance. */
  env(overrides: Record<string, string> = {}): Record<string, string> {
    const separator = this.schema.databaseUrl.includes('?') ? '&' : '?';
    return {
      DATABASE_URL: `${this.schema.databaseUrl}${separator}options=${encodeURIComponent(`-c search_path=${this.schema.schema}`)}`,
      EVENTS_STREAM_NAME: this.names.stream,
      EVENTS_SUBJECT_PREFIX: this.names.subjectPrefix,
      EVENTS_DURABLE_NAME: this.names.durable,
      DEAD_LETTER_STREAM: this.names.deadLetterStream,
      DEAD_LETTER_SUBJECT_PREFIX: this.names.deadLetterPrefix,
      SIGNALING_SUBJECT_PREFIX: this.names.signalingPrefix,
      LOG_LEVEL: 'info',
      PASSWORD_SCRYPT_LOG_N: String(TEST_SCRYPT_COST.logN),
      ...overrides,
    };
  }

  async startInstance(overrides: Record<string, string> = {}): Promise<SignalingInstance> {
    const port = await freeLoopbackPort();
    const config = loadSignalingConfig({
      ...this.env(overrides),
      NATS_URL: (await testNatsUrl()).url,
      HTTP_PORT: String(port),
      INSTANCE_ID: overrides['INSTANCE_ID'] ?? uniqueTestName('instance'),
    });
    const logs: string[] = [];
    const logger = pino(
      { level: config.LOG_LEVEL, base: { service: 'signaling' } },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logs.push(
            ...chunk
              .toString('utf8')
              .split('\n')
              .filter((line) => line !== ''),
          );
          done();
        },
      }),
    );
    const app = await createRingbusApp(AppModule.forRoot(config), config, { logger });
    const routes: Array<{ method: string; url: string }> = [];
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRoute', (route) => {
        for (const method of [route.method].flat()) routes.push({ method, url: route.url });
      });
    const consumer = await consumeLiveCallEvents(app, config);
    await consumer.started;
    await app.listen(port, '127.0.0.1');
    const instance: SignalingInstance = {
      url: `ws://127.0.0.1:${port}`,
      httpUrl: `http://127.0.0.1:${port}`,
      routes,
      config,
      app,
      endpoint: app.get(SignalingEndpoint),
      logs,
      close: async () => {
        const index = this.instances.indexOf(instance);
        if (index >= 0) this.instances.splice(index, 1);
        await app.close();
      },
    };
    this.instances.push(instance);
    return instance;
  }

  async provisionUser(lines = 2, callerNumber = '+15550001'): Promise<TestUser> {
    const userId = uniqueTestName('user');
    await provisionSubscriber(this.schema.pool, { tenant: TENANT, userId, lines, callerNumber });
    const session = await mintSessionToken(this.schema.pool, { userId, tenant: TENANT });
    return { userId, callerNumber, session };
  }

  /** A subscriber who signs in with a password (hashed cheaply: the tests are about behaviour, not cost). */
  async provisionPasswordUser(
    options: {
      password?: string;
      tenant?: string;
      profile?: SubscriberProfileInput;
      callerNumber?: string;
    } = {},
  ): Promise<{ userId: string; login: string; password: string; tenant: string }> {
    const userId = uniqueTestName('user');
    const login = `${userId}@example.com`;
    const password = options.password ?? `pw-${uniqueTestName('secret')}`;
    const tenant = options.tenant ?? TENANT;
    await provisionSubscriber(this.schema.pool, {
      tenant,
      userId,
      lines: 2,
      callerNumber: options.callerNumber ?? '+15550001',
      ...(options.profile === undefined ? {} : { profile: options.profile }),
    });
    await setSubscriberPassword(this.schema.pool, { tenant, login, userId, password }, TEST_SCRYPT_COST);
    return { userId, login, password, tenant };
  }

  mintToken(
    userId: string,
    options: { ttlMs?: number; now?: Date; tenant?: string } = {},
  ): Promise<MintedSessionToken> {
    return mintSessionToken(this.schema.pool, { userId, tenant: options.tenant ?? TENANT, ...options });
  }

  /** A softphone client, closed when the platform stops. */
  client(options: SoftphoneClientOptions = {}): SoftphoneClient {
    const client = new SoftphoneClient({ requestTimeoutMs: 8_000, handshakeTimeoutMs: 8_000, ...options });
    this.clients.push(client);
    return client;
  }

  async connect(
    instance: SignalingInstance,
    user: TestUser,
    options: { force?: boolean; client?: SoftphoneClientOptions } = {},
  ): Promise<{ client: SoftphoneClient; state: StateHandshake }> {
    const client = this.client(options.client);
    const state = await client.connect({
      url: instance.url,
      token: user.session.token,
      force: options.force,
      tenant: TENANT,
    });
    return { client, state };
  }

  /** The call's stored events (none when it has no stream). */
  async callEvents(callId: string): Promise<readonly RecordedEvent[]> {
    try {
      return await this.store.readStream(callStreamId(callId));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  /** The Ringbus call id of the live call a client call id names. */
  async callIdOf(clientCallId: string, timeoutMs = 5_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await this.schema.pool.query<{ call_id: string }>(
        'select call_id from signaling_live_call where tenant = $1 and client_call_id = $2',
        [TENANT, clientCallId],
      );
      const callId = rows[0]?.call_id;
      if (callId !== undefined) return callId;
      if (Date.now() > deadline) throw new Error(`no live call for client call id ${clientCallId}`);
      await sleep(25);
    }
  }

  /** A command through the one call command handler, as media-orchestration issues it. */
  async command(
    callId: string,
    command: MessageInitShape<typeof CallCommandSchema>['command'],
  ): Promise<void> {
    await this.commands(
      create(CallCommandSchema, {
        commandId: uuidv7(),
        callId,
        occurredAt: timestampFromMs(Date.now()),
        command,
      }),
      { tenant: TENANT, traceparent: '' },
    );
  }

  inviteSent(callId: string): Promise<void> {
    return this.command(callId, {
      case: 'recordInviteSent',
      value: { sipCallId: sipCallIdFor(callId), janusGatewayId: 'janus-1', region: 'local' },
    });
  }

  ringing(callId: string): Promise<void> {
    return this.command(callId, { case: 'recordRinging', value: { sipCode: 180 } });
  }

  answered(callId: string, sdpAnswer = ANSWER_SDP): Promise<void> {
    return this.command(callId, { case: 'recordAnswered', value: { sdpAnswer } });
  }

  ended(callId: string, sipCode = 200, reason = CallEndReason.NORMAL): Promise<void> {
    return this.command(callId, {
      case: 'hangup',
      value: { reason, hungUpBy: CallParty.CALLEE, sipCode, q850Cause: 16, reasonText: '' },
    });
  }

  /** An incoming call for `userId`, as media-orchestration records a carrier INVITE. */
  async offer(userId: string, carrierSipCallId = `${uniqueTestName('carrier')}@10.0.0.1`): Promise<string> {
    const callId = uuidv7();
    await this.command(callId, {
      case: 'offerCall',
      value: {
        userId,
        caller: '+15550777',
        callerDisplayName: 'Bob',
        callee: '+15550001',
        sdpOffer: OFFER_SDP,
        carrierSipCallId,
        janusGatewayId: 'janus-1',
        region: 'local',
      },
    });
    return callId;
  }

  async stop(): Promise<void> {
    for (const client of this.clients.splice(0)) {
      if (client.state !== undefined && client.closeInfo === undefined)
        await client.close().catch(() => undefined);
    }
    for (const instance of [...this.instances]) await instance.close().catch(() => undefined);
    await this.relay.stop();
    const jsm = await jetstreamManager(this.nats);
    await jsm.streams.delete(this.names.stream).catch(() => false);
    await jsm.streams.delete(this.names.deadLetterStream).catch(() => false);
    await this.nats.close();
    await this.schema.drop();
  }
}

/** Polls until `probe` gives a value. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
