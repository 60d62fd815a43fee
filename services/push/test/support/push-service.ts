import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type INestApplication } from '@nestjs/common';
import { CommandBus } from '@ringbus/bus';
import { globalPositionOf, type RecordedEvent } from '@ringbus/event-store';
import { encodeEventMessage, EventHeader } from '@ringbus/event-wire';
import { createRingbusApp, createServiceLogger } from '@ringbus/service-kit';
import { createTestSchema, testNatsUrl, type TestSchema, uniqueTestName } from '@ringbus/testkit';
import { v7 as uuidv7 } from 'uuid';
import { consumePushEvents } from '../../src/adapters/bus/push-consumer.js';
import { PushMetrics } from '../../src/adapters/metrics/push-metrics.js';
import { AppModule } from '../../src/app.module.js';
import { loadPushConfig, type PushConfig } from '../../src/config.js';
import { ApnsContractDouble } from './apns-contract-double.js';
import { FcmContractDouble } from './fcm-contract-double.js';
import { makeTestCredentials } from './provider-credentials.js';

export const BUNDLE_ID = 'com.example.phone';
export const FCM_PROJECT = 'ringbus-test';

/**
 * The push service as main.ts wires it (service frame, AppModule, the bus transport), against the real
 * PostgreSQL and NATS, an events stream and command subjects of its own, and the FCM / APNs contract
 * doubles in place of Google and Apple.
 */
export interface PushServiceUnderTest {
  readonly app: INestApplication;
  readonly config: PushConfig;
  readonly schema: TestSchema;
  readonly fcm: FcmContractDouble;
  readonly apns: ApnsContractDouble;
  readonly commands: CommandBus;
  readonly metrics: PushMetrics;
  readonly subjects: { readonly register: string; readonly unregister: string };
  publish(event: RecordedEvent, options?: { messageId?: string }): Promise<void>;
  stop(): Promise<void>;
}

export async function startPushService(): Promise<PushServiceUnderTest> {
  const schema = await createTestSchema('push');
  const { url: natsUrl } = await testNatsUrl();
  const name = uniqueTestName('push_events');
  const subjectPrefix = `${name}.ev`;
  const nats: NatsConnection = await connect({ servers: natsUrl, name: 'push-test' });
  const jsm = await jetstreamManager(nats);
  await jsm.streams.add({ name, subjects: [`${subjectPrefix}.>`], storage: StorageType.Memory });
  const js = jetstream(nats);

  const credentials = makeTestCredentials(FCM_PROJECT, 'http://127.0.0.1:1/token');
  const fcm = new FcmContractDouble(credentials.serviceAccountPublicKey, credentials.clientEmail);
  await fcm.start();
  const apns = new ApnsContractDouble(
    credentials.apnsPublicKey,
    credentials.apnsKeyId,
    credentials.apnsTeamId,
  );
  await apns.start();
  const folder = mkdtempSync(join(tmpdir(), 'push-test-'));
  const caFile = join(folder, 'apns-ca.pem');
  writeFileSync(caFile, apns.certificate.cert);
  const keyFile = join(folder, 'apns-key.p8');
  writeFileSync(keyFile, credentials.apnsKeyPem);

  const commandPrefix = `${name}.push`;
  const config = loadPushConfig({
    DATABASE_URL: schema.databaseUrl,
    NATS_URL: natsUrl,
    LOG_LEVEL: 'silent',
    PUSH_SCHEMA: schema.schema,
    EVENTS_STREAM_NAME: name,
    EVENTS_SUBJECT_PREFIX: subjectPrefix,
    EVENTS_DURABLE_NAME: `${name}_push`,
    DEAD_LETTER_STREAM: `${name}_dlq`.toUpperCase(),
    DEAD_LETTER_SUBJECT_PREFIX: `${name}.dlq`,
    PUSH_COMMAND_SUBJECT_PREFIX: commandPrefix,
    FCM_SERVICE_ACCOUNT_JSON: credentials.serviceAccountJson,
    FCM_TOKEN_URL: fcm.tokenUrl,
    FCM_BASE_URL: fcm.baseUrl,
    APNS_KEY_FILE: keyFile,
    APNS_KEY_ID: credentials.apnsKeyId,
    APNS_TEAM_ID: credentials.apnsTeamId,
    APNS_BUNDLE_ID: BUNDLE_ID,
    APNS_ORIGIN: apns.origin,
    APNS_CA_FILE: caFile,
    PUSH_RETRY_BASE_MS: '50',
    PUSH_RETRY_MAX_MS: '2000',
  });
  const app = await createRingbusApp(AppModule.forRoot(config), config, {
    logger: createServiceLogger(config),
  });
  const consumer = await consumePushEvents(app, config);
  await consumer.started;
  return {
    app,
    config,
    schema,
    fcm,
    apns,
    commands: new CommandBus(nats, { defaultTimeoutMs: 5_000 }),
    metrics: app.get(PushMetrics),
    subjects: {
      register: `${commandPrefix}.tokens.register`,
      unregister: `${commandPrefix}.tokens.unregister`,
    },
    async publish(event, options = {}) {
      const message = encodeEventMessage(event, subjectPrefix);
      if (options.messageId !== undefined) message.headers.set(EventHeader.messageId, options.messageId);
      await js.publish(message.subject, message.body, { headers: message.headers });
    },
    async stop() {
      await app.close();
      await jsm.streams.delete(name).catch(() => undefined);
      await jsm.streams.delete(config.DEAD_LETTER_STREAM).catch(() => undefined);
      await nats.close();
      await fcm.stop();
      await apns.stop();
      await schema.drop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

let position = 0n;

/** A stored call event as the relay publishes it. */
export function recordedCallEvent(
  type: string,
  data: Record<string, unknown>,
  options: { readonly occurredAt?: string; readonly tenant?: string; readonly callId?: string } = {},
): RecordedEvent {
  position += 1n;
  const callId = options.callId ?? uuidv7();
  const occurredAt = options.occurredAt ?? new Date().toISOString();
  return {
    eventId: randomUUID(),
    streamId: `call-${callId}`,
    streamVersion: 1,
    globalPosition: globalPositionOf(1n, position),
    type,
    schemaVersion: 1,
    data: { callId, occurredAt, ...data },
    metadata: {
      occurredAt,
      causationId: randomUUID(),
      correlationId: callId,
      tenant: options.tenant ?? 'acme',
      traceparent: '',
    },
  };
}

/** A `CallOffered` to `userId` from +4930123456 ("Alice"), with a carrier Call-ID. */
export function callOffered(
  userId: string,
  options: { readonly occurredAt?: string; readonly tenant?: string } = {},
): RecordedEvent {
  return recordedCallEvent(
    'CallOffered',
    {
      userId,
      caller: '+4930123456',
      callerDisplayName: 'Alice',
      callee: '+4930999',
      sdpOffer: 'v=0\r\n',
      carrierSipCallId: `carrier-${randomUUID()}@sbc.example`,
      janusGatewayId: 'gw-1',
      region: 'eu',
    },
    options,
  );
}

/** Retries `assertion` until it passes or `timeoutMs` runs out. */
export async function eventually(assertion: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A random APNs device token (64 hex digits). */
export const apnsToken = (): string => randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
/** A random FCM-like registration token. */
export const fcmToken = (): string => `f${randomUUID()}:APA91b${randomUUID().replace(/-/g, '')}`;
