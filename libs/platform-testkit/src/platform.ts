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
  startKamailio,
  type JanusGateway,
  type JanusOptions,
  type KamailioOptions,
  type KamailioRegistrar,
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
import { carrierScenarioFile, shippedScenarioFile } from './carrier.js';
import { CallNotFoundError, PlatformStartError } from './errors.js';
import {
  loadSignalingProvisioning,
  locateRingbusBuild,
  type SignalingProvisioning,
} from './ringbus-build.js';
import {
  carrierSipCallId,
  checkedRegisteredUser,
  registeredUserId,
  sipAccountsFor,
  type CarrierCall,
  type IncomingCallOptions,
  type RegisteredUser,
  type RegisteredUserOptions,
} from './registered-users.js';
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
  /**
   * LOG_LEVEL of the three Ringbus processes (default `E2E_LOG_LEVEL`, else `warn`); media-orchestration logs
   * at least `info`, since the platform reads its `Janus gateway connected` and `SIP account registered`.
   */
  readonly logLevel?: string;
  /**
   * Users who receive calls. With any, the platform starts a Kamailio (registrar and proxy) and, for each,
   * signaling's subscriber row and media-orchestration's SIP_ACCOUNTS entry (registered at the Kamailio); it
   * is ready once media-orchestration has registered every one of them.
   */
  readonly registeredUsers?: readonly RegisteredUserOptions[];
  /** Options of the Kamailio started for `registeredUsers`. */
  readonly kamailio?: KamailioOptions;
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
  /** The platform's Janus (a new one after `restartJanus`, on the same WebSocket port). */
  readonly janus: JanusGateway;
  /** sipp with `scenarios/carrier.xml`: the called number picks busy or answer-then-BYE. */
  readonly carrier: SippPeer;
  readonly relay: ServiceProcess;
  readonly signaling: ServiceProcess;
  /** The running media-orchestration process (a new one after `restartMediaOrchestration`). */
  readonly mediaOrchestration: ServiceProcess;
  /** Everything every media-orchestration process of this platform logged, the earlier ones first. */
  mediaOrchestrationOutput(): string;
  /** Where softphones connect: `http://127.0.0.1:<port>` (the SDK appends `/signaling/v1`). */
  readonly signalingUrl: string;
  /** The registrar and proxy of `registeredUsers` (undefined without them). */
  readonly kamailio: KamailioRegistrar | undefined;
  /** The users of `options.registeredUsers`, in order. */
  readonly registeredUsers: readonly RegisteredUser[];
  /** The registered user of that SIP name. */
  registeredUser(name: string): RegisteredUser;
  /**
   * The carrier calls `user` through Kamailio: a sipp of its own running `options.scenario` with a unique
   * Call-ID. Resolves once sipp runs; the sipp is stopped by `stop()` if it has not finished by then.
   */
  callUser(user: RegisteredUser | string, options: IncomingCallOptions): Promise<CarrierCall>;
  /** The call whose CallOffered carries `carrierSipCallId`, waiting for it to be stored. */
  findOfferedCall(carrierSipCallId: string, timeoutMs?: number): Promise<StoredCall>;
  /**
   * Stops media-orchestration by its PID (`SIGTERM`: graceful, its live calls end; `SIGKILL`: a crash) and
   * starts it again with the same environment, INSTANCE_ID included; resolves once it is healthy, connected
   * to Janus and has registered every registered user again.
   */
  restartMediaOrchestration(options?: { signal?: 'SIGTERM' | 'SIGKILL' }): Promise<ServiceProcess>;
  /**
   * Stops Janus by its PID (`SIGINT`: graceful; `SIGKILL`: a crash) and starts a new one on the same
   * WebSocket port; resolves once media-orchestration has reconnected to it (JANUS_RECONNECT_* back-off)
   * and registered every registered user on it again.
   */
  restartJanus(options?: { signal?: 'SIGINT' | 'SIGKILL'; timeoutMs?: number }): Promise<JanusGateway>;
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
  /**
   * Stops softphones, the carrier's calls to users, media-orchestration, signaling, the relay, sipp, Kamailio,
   * Janus and NATS, drops the schema.
   */
  stop(): Promise<void>;
}

type Stopper = { readonly part: string; readonly stop: () => Promise<unknown> };

/** A part the platform can replace while it runs; its stopper stops whichever one is current. */
interface Replaceable<T> {
  current: T;
}

// Media-orchestration's reconnection and redelivery settings for a platform whose parts restart: a Janus
// back within a second is found again within a second, an event left unacked by a stopped instance is
// redelivered after 2 s (not 30), and a registration lost with its Janus is renewed within 2 s.
const MEDIA_ORCHESTRATION_DEFAULTS: Readonly<Record<string, string>> = {
  JANUS_RECONNECT_INITIAL_MS: '100',
  JANUS_RECONNECT_MAX_MS: '1000',
  EVENTS_ACK_WAIT_MS: '2000',
  REGISTRATION_LEASE_MS: '6000',
};
const VERBOSE_LOG_LEVELS = new Set(['debug', 'trace']);
const GATEWAY_CONNECTED = 'Janus gateway connected';
const ACCOUNT_REGISTERED = 'SIP account registered';
const MEDIA_READY_TIMEOUT_MS = 20_000;

/**
 * Starts the whole platform inside the loopback namespace (scripts/in-netns.sh): a nats-server of its own,
 * a PostgreSQL schema of its own (Unix socket), the event relay, signaling and media-orchestration as
 * `node dist/src/main.js` processes, a Janus, sipp as the carrier, and Kamailio when users receive calls.
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  assertInsideLoopbackNamespace();
  const build = locateRingbusBuild();
  const provisioning = await loadSignalingProvisioning(build);
  // testkit's helpers take the database from DATABASE_URL; TCP loopback is not reachable from here.
  process.env['DATABASE_URL'] ||= NAMESPACE_DATABASE_URL;
  const tenant = options.tenant ?? 'acme';
  const logLevel = options.logLevel ?? process.env['E2E_LOG_LEVEL'] ?? 'warn';
  const userOptions = (options.registeredUsers ?? []).map(checkedRegisteredUser);
  const names = new Set(userOptions.map((user) => user.name));
  if (names.size !== userOptions.length) throw new RangeError('registered users need distinct names');
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
    const [nats, database, janus, carrier, kamailio] = await allStarted([
      startPart('nats-server', startNatsServer).then(started('nats-server', (n) => n.stop())),
      startPart('the PostgreSQL schema', () => createTestSchema('platform')).then(
        started('the PostgreSQL schema', (s) => s.drop()),
      ),
      startPart('Janus', () => startJanus(options.janus)).then((gateway): Replaceable<JanusGateway> => {
        const replaceable = { current: gateway };
        stoppers.push({ part: 'Janus', stop: () => replaceable.current.stop() });
        return replaceable;
      }),
      startPart('the sipp carrier', () =>
        runSipp({
          scenario: { file: carrierScenarioFile() },
          calls: 1_000_000,
          pauseMs: options.carrierAnswerMs ?? 3_000,
          recvTimeoutMs: 30_000,
          globalTimeoutMs: 3_600_000,
        }),
      ).then(started('the sipp carrier', (s) => s.stop())),
      userOptions.length === 0
        ? Promise.resolve(undefined)
        : startPart('Kamailio', () => startKamailio(options.kamailio)).then(
            started('Kamailio', (k) => k.stop()),
          ),
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

    // Signaling first: it creates its tables, where the registered users' subscriber rows go before
    // media-orchestration starts with their SIP accounts.
    const signaling = await startPart('signaling', () =>
      spawnService({
        main: build.signalingMain,
        env: {
          ...common,
          INSTANCE_ID: uniqueTestName('signaling'),
          LOG_LEVEL: logLevel,
          ...options.signalingEnv,
        },
      }),
    ).then(started('signaling', (s) => s.stop({ timeoutMs: 5_000 })));

    const registeredUsers = await startPart('the registered users', () =>
      Promise.all(
        userOptions.map(async (user): Promise<RegisteredUser> => {
          const subscriber = await provisionTestSubscriber(provisioning, database, {
            tenant,
            userId: registeredUserId(user.name),
            lines: user.lines,
            callerNumber: user.callerNumber,
          });
          return {
            ...subscriber,
            sipName: user.name,
            identity: `sip:${user.name}@127.0.0.1`,
            sipLines: user.sipLines,
            secret: `secret-${user.name}`,
          };
        }),
      ),
    );

    const mediaEnv: Record<string, string> = {
      ...common,
      JANUS_GATEWAYS: JSON.stringify([
        { id: 'janus-platform', region: 'local', wsUrl: janus.current.wsUrl, capacity: 1_000 },
      ]),
      DEFAULT_REGION: 'local',
      SIP_OUTBOUND_URI: `sip:{number}@127.0.0.1:${carrier.sipPort}`,
      SIP_GUEST_URI: 'sip:{caller}@127.0.0.1',
      ...(kamailio === undefined
        ? {}
        : { SIP_ACCOUNTS: JSON.stringify(sipAccountsFor(registeredUsers, kamailio.proxyUri)) }),
      INSTANCE_ID: uniqueTestName('media'),
      LOG_LEVEL: VERBOSE_LOG_LEVELS.has(logLevel) ? logLevel : 'info',
      ...MEDIA_ORCHESTRATION_DEFAULTS,
      ...options.mediaOrchestrationEnv,
    };
    const spawnMediaOrchestration = () => spawnService({ main: build.mediaOrchestrationMain, env: mediaEnv });

    const mediaOrchestration = await startPart('media-orchestration', spawnMediaOrchestration).then(
      (media): Replaceable<ServiceProcess> => {
        const replaceable = { current: media };
        stoppers.push({
          part: 'media-orchestration',
          stop: () => replaceable.current.stop({ timeoutMs: 5_000 }),
        });
        return replaceable;
      },
    );

    const platform = new RunningPlatform(
      {
        tenant,
        nats,
        database,
        janus,
        carrier,
        kamailio,
        relay,
        signaling,
        mediaOrchestration,
        registeredUsers,
      },
      {
        store: createPostgresEventStore({ pool: database.pool }),
        provisioning,
        stoppers,
        spawnMediaOrchestration,
        janusOptions: options.janus ?? {},
      },
    );
    await startPart('media-orchestration', () => platform.waitForMediaReady(mediaOrchestration.current));
    return platform;
  } catch (error) {
    await stopAll(stoppers);
    throw error;
  }
}

async function provisionTestSubscriber(
  provisioning: SignalingProvisioning,
  database: TestSchema,
  subscriber: { tenant: string; userId: string; lines: number; callerNumber: string },
): Promise<TestSubscriber> {
  await provisioning.provisionSubscriber(database.pool, subscriber);
  const { token } = await provisioning.mintSessionToken(database.pool, {
    userId: subscriber.userId,
    tenant: subscriber.tenant,
  });
  return { ...subscriber, token };
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

/** How many lines of `output` hold every one of `parts`. */
function linesWith(output: string, ...parts: readonly string[]): number {
  let count = 0;
  for (const line of output.split('\n')) if (parts.every((part) => line.includes(part))) count += 1;
  return count;
}

/** What media-orchestration had logged about its gateway and registrations at one moment. */
interface MediaReadiness {
  readonly gatewayConnections: number;
  readonly registrations: ReadonlyMap<string, number>;
}

interface PlatformParts {
  readonly tenant: string;
  readonly nats: NatsServerProcess;
  readonly database: TestSchema;
  readonly janus: Replaceable<JanusGateway>;
  readonly carrier: SippPeer;
  readonly kamailio: KamailioRegistrar | undefined;
  readonly relay: ServiceProcess;
  readonly signaling: ServiceProcess;
  readonly mediaOrchestration: Replaceable<ServiceProcess>;
  readonly registeredUsers: readonly RegisteredUser[];
}

interface PlatformMachinery {
  readonly store: EventStore;
  readonly provisioning: SignalingProvisioning;
  readonly stoppers: Stopper[];
  readonly spawnMediaOrchestration: () => Promise<ServiceProcess>;
  readonly janusOptions: JanusOptions;
}

const READ_PAGE = 500;

class RunningPlatform implements Platform {
  readonly tenant: string;
  readonly nats: NatsServerProcess;
  readonly database: TestSchema;
  readonly store: EventStore;
  readonly carrier: SippPeer;
  readonly kamailio: KamailioRegistrar | undefined;
  readonly relay: ServiceProcess;
  readonly signaling: ServiceProcess;
  readonly signalingUrl: string;
  readonly registeredUsers: readonly RegisteredUser[];
  private readonly janusSlot: Replaceable<JanusGateway>;
  private readonly mediaSlot: Replaceable<ServiceProcess>;
  /** The output of media-orchestration processes that were replaced. */
  private earlierMediaOutput = '';
  private readonly softphones: Softphone[] = [];
  private readonly carrierCalls: SippPeer[] = [];
  private carrierCallCount = 0;
  /** CallRequested (by client call id) and CallOffered (by carrier Call-ID) seen so far, and where the scan stopped. */
  private readonly requested = new Map<string, StoredCall>();
  private readonly offered = new Map<string, StoredCall>();
  private scannedTo: GlobalPosition | undefined;

  constructor(
    parts: PlatformParts,
    private readonly machinery: PlatformMachinery,
  ) {
    this.tenant = parts.tenant;
    this.nats = parts.nats;
    this.database = parts.database;
    this.store = machinery.store;
    this.janusSlot = parts.janus;
    this.carrier = parts.carrier;
    this.kamailio = parts.kamailio;
    this.relay = parts.relay;
    this.signaling = parts.signaling;
    this.mediaSlot = parts.mediaOrchestration;
    this.signalingUrl = parts.signaling.baseUrl;
    this.registeredUsers = parts.registeredUsers;
  }

  get janus(): JanusGateway {
    return this.janusSlot.current;
  }

  get mediaOrchestration(): ServiceProcess {
    return this.mediaSlot.current;
  }

  mediaOrchestrationOutput(): string {
    return this.earlierMediaOutput + this.mediaSlot.current.output();
  }

  async subscriber(options: { lines?: number; callerNumber?: string } = {}): Promise<TestSubscriber> {
    return provisionTestSubscriber(this.machinery.provisioning, this.database, {
      tenant: this.tenant,
      userId: `user-${randomUUID()}`,
      lines: options.lines ?? 2,
      callerNumber: options.callerNumber ?? '+15550001',
    });
  }

  async softphone(subscriber: TestSubscriber, options: SoftphoneOptions = {}): Promise<Softphone> {
    const softphone = await Softphone.connect(this.signalingUrl, subscriber, options);
    this.softphones.push(softphone);
    return softphone;
  }

  registeredUser(name: string): RegisteredUser {
    const user = this.registeredUsers.find((candidate) => candidate.sipName === name);
    if (user === undefined) {
      const known = this.registeredUsers.map((candidate) => candidate.sipName).join(', ') || '(none)';
      throw new RangeError(`no registered user named ${name}; the platform has ${known}`);
    }
    return user;
  }

  async callUser(target: RegisteredUser | string, options: IncomingCallOptions): Promise<CarrierCall> {
    const user = typeof target === 'string' ? this.registeredUser(target) : target;
    if (this.kamailio === undefined) throw new RangeError('the platform has no registered users');
    this.carrierCallCount += 1;
    const sipCallId = carrierSipCallId(this.carrierCallCount);
    const sipp = await runSipp({
      scenario:
        options.scenario === 'carrier-calls-then-bye'
          ? { file: shippedScenarioFile('carrier-calls-then-bye.xml') }
          : options.scenario,
      remoteHost: this.kamailio.address,
      service: user.sipName,
      callIdFormat: sipCallId,
      recvTimeoutMs: options.recvTimeoutMs ?? 30_000,
      globalTimeoutMs: 120_000,
      ...(options.pauseMs === undefined ? {} : { pauseMs: options.pauseMs }),
    });
    this.carrierCalls.push(sipp);
    return { user, carrierSipCallId: sipCallId, sipp };
  }

  async findCall(clientCallId: string, timeoutMs = 10_000): Promise<StoredCall> {
    return this.findScanned(
      this.requested,
      clientCallId,
      timeoutMs,
      () => new CallNotFoundError(clientCallId, timeoutMs),
    );
  }

  async findOfferedCall(carrierSipCallId: string, timeoutMs = 10_000): Promise<StoredCall> {
    return this.findScanned(
      this.offered,
      carrierSipCallId,
      timeoutMs,
      () =>
        new Error(
          `no CallOffered with carrier Call-ID ${carrierSipCallId} was stored within ${timeoutMs} ms`,
        ),
    );
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

  async restartMediaOrchestration(options: { signal?: 'SIGTERM' | 'SIGKILL' } = {}): Promise<ServiceProcess> {
    const old = this.mediaSlot.current;
    if (options.signal === 'SIGKILL') {
      old.kill('SIGKILL');
      await old.exited;
    } else {
      await old.stop({ timeoutMs: 10_000 });
    }
    this.earlierMediaOutput += old.output();
    let next: ServiceProcess;
    try {
      next = await this.machinery.spawnMediaOrchestration();
    } catch (error) {
      throw new PlatformStartError('media-orchestration (restart)', { cause: error });
    }
    this.mediaSlot.current = next;
    await this.waitForMediaReady(next);
    return next;
  }

  async restartJanus(
    options: { signal?: 'SIGINT' | 'SIGKILL'; timeoutMs?: number } = {},
  ): Promise<JanusGateway> {
    const old = this.janusSlot.current;
    const media = this.mediaSlot.current;
    const before = this.mediaReadiness(media);
    if (options.signal === 'SIGKILL') {
      old.kill('SIGKILL');
      await old.exited;
    }
    await old.stop();
    let next: JanusGateway;
    try {
      next = await startJanus({ ...this.machinery.janusOptions, wsPort: Number(new URL(old.wsUrl).port) });
    } catch (error) {
      throw new PlatformStartError('Janus (restart)', { cause: error });
    }
    this.janusSlot.current = next;
    await this.waitForMediaReady(media, before, options.timeoutMs);
    return next;
  }

  /**
   * Waits until `media` logged a Janus connection and a registration of every registered user beyond what
   * `before` counted (nothing, for a process of its own).
   */
  async waitForMediaReady(
    media: ServiceProcess,
    before: MediaReadiness = { gatewayConnections: 0, registrations: new Map() },
    timeoutMs = MEDIA_READY_TIMEOUT_MS,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = this.mediaReadiness(media);
      const missing: string[] = [];
      if (now.gatewayConnections <= before.gatewayConnections) missing.push('a connection to Janus');
      for (const user of this.registeredUsers) {
        if ((now.registrations.get(user.userId) ?? 0) <= (before.registrations.get(user.userId) ?? 0)) {
          missing.push(`the registration of ${user.sipName}`);
        }
      }
      if (missing.length === 0) return;
      if (!media.isRunning()) throw new Error(`media-orchestration exited:\n${media.output()}`);
      if (Date.now() > deadline) {
        throw new Error(
          `media-orchestration logged no ${missing.join(', ')} within ${timeoutMs} ms:\n${media.output().slice(-4_000)}`,
        );
      }
      await sleep(25);
    }
  }

  async stop(): Promise<void> {
    for (const softphone of this.softphones.splice(0)) await softphone.close();
    for (const sipp of this.carrierCalls.splice(0)) await sipp.stop().catch(() => undefined);
    await stopAll(this.machinery.stoppers);
  }

  private mediaReadiness(media: ServiceProcess): MediaReadiness {
    const output = media.output();
    return {
      gatewayConnections: linesWith(output, GATEWAY_CONNECTED),
      registrations: new Map(
        this.registeredUsers.map((user) => [user.userId, linesWith(output, ACCOUNT_REGISTERED, user.userId)]),
      ),
    };
  }

  private async findScanned(
    found: ReadonlyMap<string, StoredCall>,
    key: string,
    timeoutMs: number,
    notFound: () => Error,
  ): Promise<StoredCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.scanForCallStarts();
      const call = found.get(key);
      if (call !== undefined) return call;
      if (Date.now() > deadline) throw notFound();
      await sleep(20);
    }
  }

  /** Reads the store from where the last scan stopped, noting every CallRequested and CallOffered. */
  private async scanForCallStarts(): Promise<void> {
    for (;;) {
      const page = await this.store.readAll({ after: this.scannedTo, maxCount: READ_PAGE });
      for (const event of page) {
        this.scannedTo = event.globalPosition;
        const data = event.data as { clientCallId?: unknown; carrierSipCallId?: unknown; callId?: unknown };
        const call = {
          streamId: event.streamId,
          callId: typeof data.callId === 'string' ? data.callId : event.streamId.replace(/^call-/, ''),
        };
        if (event.type === 'CallRequested' && typeof data.clientCallId === 'string') {
          this.requested.set(data.clientCallId, call);
        } else if (event.type === 'CallOffered' && typeof data.carrierSipCallId === 'string') {
          this.offered.set(data.carrierSipCallId, call);
        }
      }
      if (page.length < READ_PAGE) return;
    }
  }
}
