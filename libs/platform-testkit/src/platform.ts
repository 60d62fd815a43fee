import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createPostgresEventStore,
  StreamNotFoundError,
  type EventStore,
  type GlobalPosition,
  type RecordedEvent,
} from '@ringbus/event-store';
import {
  assertInsideLoopbackNamespace,
  runSipp,
  startJanus,
  type JanusGateway,
  type JanusOptions,
  type SippPeer,
} from '@ringbus/telephony-testkit';
import {
  createTestSchema,
  spawnService,
  startNatsServer,
  uniqueTestName,
  type NatsServerProcess,
  type ServiceProcess,
  type TestSchema,
} from '@ringbus/testkit';
import { carrierScenarioFile } from './carrier.js';
import { CallNotFoundError, PlatformStartError } from './errors.js';
import {
  loadSignalingProvisioning,
  locateRingbusBuild,
  type SignalingProvisioning,
} from './ringbus-build.js';
import { Softphone, type SoftphoneOptions, type TestSubscriber } from './softphone.js';

/**
 * PostgreSQL through its Unix socket: it crosses network namespaces, the host's TCP loopback does not.
 * DATABASE_URL, when set, wins (e.g. another socket directory).
 */
export const NAMESPACE_DATABASE_URL = 'postgres://postgres@localhost/test?host=/var/run/postgresql';

export interface PlatformOptions {
  /** The tenant of every subscriber (default `acme`). */
  readonly tenant?: string;
  /** Milliseconds the carrier waits after answering before it sends BYE (sipp `-d`, default 3000). */
  readonly carrierAnswerMs?: number;
  /** Options of the platform's own Janus (ports, log level, DTLS timeout). */
  readonly janus?: JanusOptions;
  /** Variables added to the relay's environment (see docs/event-relay.md), e.g. `RELAY_BATCH_SIZE`. */
  readonly relayEnv?: Readonly<Record<string, string>>;
  /** Variables added to signaling's environment (services/signaling/src/config.ts). */
  readonly signalingEnv?: Readonly<Record<string, string>>;
  /** Variables added to media-orchestration's environment, e.g. `JANUS_WARM_LINES` (its src/config.ts). */
  readonly mediaOrchestrationEnv?: Readonly<Record<string, string>>;
  /** LOG_LEVEL of the three Ringbus processes (default `E2E_LOG_LEVEL`, else `warn`). */
  readonly logLevel?: string;
}

/** A call as the event store knows it, found from the client call id its softphone sent. */
export interface StoredCall {
  readonly callId: string;
  readonly streamId: string;
}

/** Everything of one running platform; each process is stopped by its PID in `stop()`. */
export interface Platform {
  readonly tenant: string;
  readonly nats: NatsServerProcess;
  /** The test's own schema; `pool` has its `search_path`. */
  readonly database: TestSchema;
  /** Read access to the platform's event store (the same schema the services write). */
  readonly store: EventStore;
  readonly janus: JanusGateway;
  /** sipp with `scenarios/carrier.xml`: the called number picks busy or answer-then-BYE. */
  readonly carrier: SippPeer;
  readonly relay: ServiceProcess;
  readonly signaling: ServiceProcess;
  readonly mediaOrchestration: ServiceProcess;
  /** Where softphones connect: `http://127.0.0.1:<port>` (the SDK appends `/signaling/v1`). */
  readonly signalingUrl: string;
  /** A new user: signaling's subscriber row and a session token, both written by signaling's own code. */
  subscriber(options?: { lines?: number; callerNumber?: string }): Promise<TestSubscriber>;
  /** A connected softphone of `subscriber` (closed by `stop()` if the test has not closed it). */
  softphone(subscriber: TestSubscriber, options?: SoftphoneOptions): Promise<Softphone>;
  /** The call whose CallRequested carries `clientCallId`, waiting for it to be stored. */
  findCall(clientCallId: string, timeoutMs?: number): Promise<StoredCall>;
  /** The call's stream (empty while it has none). */
  callEvents(call: StoredCall): Promise<readonly RecordedEvent[]>;
  /** The first event of `type` in the call's stream, waiting for it. */
  waitForCallEvent(call: StoredCall, type: string, timeoutMs?: number): Promise<RecordedEvent>;
  /** Stops softphones, media-orchestration, signaling, the relay, sipp, Janus and NATS, drops the schema. */
  stop(): Promise<void>;
}

type Stopper = { readonly part: string; readonly stop: () => Promise<unknown> };

/**
 * Starts the whole platform inside the loopback namespace (scripts/in-netns.sh): a nats-server of its own,
 * a PostgreSQL schema of its own (Unix socket), the event relay, signaling and media-orchestration as
 * `node dist/src/main.js` processes, a Janus, and sipp as the carrier.
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  assertInsideLoopbackNamespace();
  const build = locateRingbusBuild();
  const provisioning = await loadSignalingProvisioning(build);
  // testkit's helpers take the database from DATABASE_URL; TCP loopback is not reachable from here.
  process.env['DATABASE_URL'] ||= NAMESPACE_DATABASE_URL;
  const tenant = options.tenant ?? 'acme';
  const logLevel = options.logLevel ?? process.env['E2E_LOG_LEVEL'] ?? 'warn';
  const stoppers: Stopper[] = [];
  const started =
    <T>(part: string, stop: (value: T) => Promise<unknown>) =>
    (value: T) => {
      stoppers.push({ part, stop: () => stop(value) });
      return value;
    };
  const startPart = async <T>(part: string, start: () => Promise<T>): Promise<T> => {
    try {
      return await start();
    } catch (error) {
      throw new PlatformStartError(part, { cause: error });
    }
  };

  try {
    const [nats, database, janus, carrier] = await allStarted([
      startPart('nats-server', startNatsServer).then(started('nats-server', (n) => n.stop())),
      startPart('the PostgreSQL schema', () => createTestSchema('platform')).then(
        started('the PostgreSQL schema', (s) => s.drop()),
      ),
      startPart('Janus', () => startJanus(options.janus)).then(started('Janus', (j) => j.stop())),
      startPart('the sipp carrier', () =>
        runSipp({
          scenario: { file: carrierScenarioFile() },
          calls: 1_000_000,
          pauseMs: options.carrierAnswerMs ?? 3_000,
          recvTimeoutMs: 30_000,
          globalTimeoutMs: 3_600_000,
        }),
      ).then(started('the sipp carrier', (s) => s.stop())),
    ]);
    const databaseUrl = `${database.databaseUrl}${database.databaseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(
      `-c search_path=${database.schema}`,
    )}`;
    const common = { DATABASE_URL: databaseUrl, NATS_URL: nats.url };

    const relay = await startPart('the event relay', async () => {
      const relayProcess = await spawnService({
        main: build.eventRelayMain,
        // `info`: its start line says when it is ready (it has no HTTP endpoint).
        env: { ...common, RELAY_NAME: 'platform-relay', LOG_LEVEL: 'info', ...options.relayEnv },
        readyPath: null,
      });
      stoppers.push({ part: 'the event relay', stop: () => relayProcess.stop({ timeoutMs: 5_000 }) });
      await relayProcess.waitForOutput(/event relay started/, 15_000);
      return relayProcess;
    });

    const [signaling, mediaOrchestration] = await allStarted([
      startPart('signaling', () =>
        spawnService({
          main: build.signalingMain,
          env: {
            ...common,
            INSTANCE_ID: uniqueTestName('signaling'),
            LOG_LEVEL: logLevel,
            ...options.signalingEnv,
          },
        }),
      ).then(started('signaling', (s) => s.stop({ timeoutMs: 5_000 }))),
      startPart('media-orchestration', () =>
        spawnService({
          main: build.mediaOrchestrationMain,
          env: {
            ...common,
            JANUS_GATEWAYS: JSON.stringify([
              { id: 'janus-platform', region: 'local', wsUrl: janus.wsUrl, capacity: 1_000 },
            ]),
            DEFAULT_REGION: 'local',
            SIP_OUTBOUND_URI: `sip:{number}@127.0.0.1:${carrier.sipPort}`,
            SIP_GUEST_URI: 'sip:{caller}@127.0.0.1',
            INSTANCE_ID: uniqueTestName('media'),
            LOG_LEVEL: logLevel,
            ...options.mediaOrchestrationEnv,
          },
        }),
      ).then(started('media-orchestration', (s) => s.stop({ timeoutMs: 5_000 }))),
    ]);

    return new RunningPlatform(
      { tenant, nats, database, janus, carrier, relay, signaling, mediaOrchestration },
      createPostgresEventStore({ pool: database.pool }),
      provisioning,
      stoppers,
    );
  } catch (error) {
    await stopAll(stoppers);
    throw error;
  }
}

/**
 * Like Promise.all, but waits for every start to settle before failing, so each part that did start has
 * registered its stopper by the time the caller cleans up.
 */
async function allStarted<T extends readonly unknown[]>(
  starts: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

async function stopAll(stoppers: Stopper[]): Promise<void> {
  const failures: string[] = [];
  // Last started, first stopped: the services before the servers they use.
  for (const stopper of stoppers.splice(0).reverse()) {
    try {
      await stopper.stop();
    } catch (error) {
      failures.push(`${stopper.part}: ${(error as Error).message}`);
    }
  }
  if (failures.length > 0) throw new Error(`stopping the platform failed for ${failures.join('; ')}`);
}

interface PlatformParts {
  readonly tenant: string;
  readonly nats: NatsServerProcess;
  readonly database: TestSchema;
  readonly janus: JanusGateway;
  readonly carrier: SippPeer;
  readonly relay: ServiceProcess;
  readonly signaling: ServiceProcess;
  readonly mediaOrchestration: ServiceProcess;
}

const READ_PAGE = 500;

class RunningPlatform implements Platform {
  readonly tenant: string;
  readonly nats: NatsServerProcess;
  readonly database: TestSchema;
  readonly janus: JanusGateway;
  readonly carrier: SippPeer;
  readonly relay: ServiceProcess;
  readonly signaling: ServiceProcess;
  readonly mediaOrchestration: ServiceProcess;
  readonly signalingUrl: string;
  private readonly softphones: Softphone[] = [];
  /** CallRequested seen so far, by client call id, and where the scan stopped. */
  private readonly requested = new Map<string, StoredCall>();
  private scannedTo: GlobalPosition | undefined;

  constructor(
    parts: PlatformParts,
    readonly store: EventStore,
    private readonly provisioning: SignalingProvisioning,
    private readonly stoppers: Stopper[],
  ) {
    this.tenant = parts.tenant;
    this.nats = parts.nats;
    this.database = parts.database;
    this.janus = parts.janus;
    this.carrier = parts.carrier;
    this.relay = parts.relay;
    this.signaling = parts.signaling;
    this.mediaOrchestration = parts.mediaOrchestration;
    this.signalingUrl = parts.signaling.baseUrl;
  }

  async subscriber(options: { lines?: number; callerNumber?: string } = {}): Promise<TestSubscriber> {
    const userId = `user-${randomUUID()}`;
    const lines = options.lines ?? 2;
    const callerNumber = options.callerNumber ?? '+15550001';
    await this.provisioning.provisionSubscriber(this.database.pool, {
      tenant: this.tenant,
      userId,
      lines,
      callerNumber,
    });
    const { token } = await this.provisioning.mintSessionToken(this.database.pool, {
      userId,
      tenant: this.tenant,
    });
    return { tenant: this.tenant, userId, callerNumber, lines, token };
  }

  async softphone(subscriber: TestSubscriber, options: SoftphoneOptions = {}): Promise<Softphone> {
    const softphone = await Softphone.connect(this.signalingUrl, subscriber, options);
    this.softphones.push(softphone);
    return softphone;
  }

  async findCall(clientCallId: string, timeoutMs = 10_000): Promise<StoredCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.scanForCallRequests();
      const found = this.requested.get(clientCallId);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new CallNotFoundError(clientCallId, timeoutMs);
      await sleep(20);
    }
  }

  async callEvents(call: StoredCall): Promise<readonly RecordedEvent[]> {
    try {
      return await this.store.readStream(call.streamId);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  async waitForCallEvent(call: StoredCall, type: string, timeoutMs = 10_000): Promise<RecordedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const events = await this.callEvents(call);
      const found = events.find((event) => event.type === type);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        const types = events.map((event) => event.type).join(', ') || '(none)';
        throw new Error(`call ${call.callId} has no ${type} after ${timeoutMs} ms; its stream: ${types}`);
      }
      await sleep(20);
    }
  }

  async stop(): Promise<void> {
    for (const softphone of this.softphones.splice(0)) await softphone.close();
    await stopAll(this.stoppers);
  }

  /** Reads the store from where the last scan stopped, noting every CallRequested's client call id. */
  private async scanForCallRequests(): Promise<void> {
    for (;;) {
      const page = await this.store.readAll({ after: this.scannedTo, maxCount: READ_PAGE });
      for (const event of page) {
        this.scannedTo = event.globalPosition;
        if (event.type !== 'CallRequested') continue;
        const { clientCallId, callId } = event.data as { clientCallId?: unknown; callId?: unknown };
        if (typeof clientCallId !== 'string') continue;
        this.requested.set(clientCallId, {
          streamId: event.streamId,
          callId: typeof callId === 'string' ? callId : event.streamId.replace(/^call-/, ''),
        });
      }
      if (page.length < READ_PAGE) return;
    }
  }
}
