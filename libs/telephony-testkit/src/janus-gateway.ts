import { randomUUID } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  describeExit,
  freeLoopbackPort,
  OwnedProcess,
  OwnedServer,
  type ProcessExit,
  startInOwnedFolder,
} from '@ringbus/testkit';
import { InvalidTelephonyOptionsError, TelephonyProcessStartError } from './errors.js';
import { type PortRange, renderJanusConfig } from './janus-config.js';
import { JANUS_BINARY, locateJanusModules } from './janus-install.js';
import { assertInsideLoopbackNamespace } from './loopback-namespace.js';
import { waitForTcpAccept } from './tcp-probe.js';

export interface JanusOptions {
  /** UDP ports for ICE/DTLS/SRTP towards WebRTC peers (default 20000-20099). */
  readonly webRtcPorts?: PortRange;
  /** UDP ports for the SIP plugin's plain RTP towards the SIP peer (default 20100-20199). */
  readonly sipRtpPorts?: PortRange;
  /** Janus log level 0-7 (default 4, info: enough to see SIP and ICE progress). */
  readonly debugLevel?: number;
  /** DTLS retransmission interval; Debian's OpenSSL build ignores it and waits 1 s (default 100). */
  readonly dtlsTimeoutMs?: number;
  /** SIP transaction timeout T1x64 in ms (default 32000, Janus's own default). */
  readonly sipTimerT1x64Ms?: number;
  /** How long to wait for the WebSocket to accept (default 10 s). */
  readonly startTimeoutMs?: number;
  /** How long `stop()` waits after SIGINT before SIGKILL (default 5 s). */
  readonly stopTimeoutMs?: number;
  /**
   * The Janus API's WebSocket port (default a free one), e.g. the port of a Janus that was stopped, so that
   * its clients reconnect to the new one. A port still taken is tried again (3 attempts, 300 ms apart).
   */
  readonly wsPort?: number;
}

/** A Janus this test started, with its own configuration folder. */
export interface JanusGateway {
  /** The Janus API over WebSocket (subprotocol `janus-protocol`), e.g. for `Janode.connect`. */
  readonly wsUrl: string;
  /** The Admin API over WebSocket (subprotocol `janus-admin-protocol`), guarded by `adminSecret`. */
  readonly adminWsUrl: string;
  readonly adminSecret: string;
  readonly pid: number;
  readonly configDir: string;
  /** Milliseconds from spawning Janus until its WebSocket accepted. */
  readonly startedInMs: number;
  readonly exited: Promise<ProcessExit>;
  /** Everything Janus logged so far. */
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Signals Janus by PID and keeps the folder, e.g. SIGKILL to simulate a crashed gateway. */
  kill(signal: NodeJS.Signals): void;
  /** SIGINT by PID, SIGKILL after the stop timeout, then removes the configuration folder. */
  stop(): Promise<ProcessExit>;
}

const DEFAULT_WEBRTC_PORTS: PortRange = { min: 20_000, max: 20_099 };
const DEFAULT_SIP_RTP_PORTS: PortRange = { min: 20_100, max: 20_199 };
const START_ATTEMPTS = 3;

/** Runs `janus` as a child of this process (never the system service), on loopback inside the namespace. */
export async function startJanus(options: JanusOptions = {}): Promise<JanusGateway> {
  assertInsideLoopbackNamespace();
  const webRtcPorts = checkedRange('webRtcPorts', options.webRtcPorts ?? DEFAULT_WEBRTC_PORTS);
  const sipRtpPorts = checkedRange('sipRtpPorts', options.sipRtpPorts ?? DEFAULT_SIP_RTP_PORTS);
  if (
    options.wsPort !== undefined &&
    !(Number.isInteger(options.wsPort) && options.wsPort >= 1024 && options.wsPort <= 65_535)
  ) {
    throw new InvalidTelephonyOptionsError('wsPort', `expected 1024-65535, got ${options.wsPort}`);
  }
  const modules = await locateJanusModules();
  return startInOwnedFolder('ringbus-janus-', async (configDir) => {
    const pluginsDir = join(configDir, 'plugins');
    const transportsDir = join(configDir, 'transports');
    const emptyDir = join(configDir, 'none');
    await Promise.all([mkdir(pluginsDir), mkdir(transportsDir), mkdir(emptyDir)]);
    // Folders holding only the modules we want: Janus loads every plugin and transport it finds.
    await symlink(modules.sipPlugin, join(pluginsDir, 'libjanus_sip.so'));
    await symlink(modules.webSocketsTransport, join(transportsDir, 'libjanus_websockets.so'));
    const adminSecret = `admin-${randomUUID()}`;
    for (let attempt = 1; ; attempt++) {
      const wsPort = options.wsPort ?? (await freeLoopbackPort());
      const adminWsPort = await freeLoopbackPort();
      const files = renderJanusConfig({
        configDir,
        pluginsDir,
        transportsDir,
        emptyDir,
        wsPort,
        adminWsPort,
        adminSecret,
        webRtcPorts,
        sipRtpPorts,
        debugLevel: options.debugLevel ?? 4,
        dtlsTimeoutMs: options.dtlsTimeoutMs ?? 100,
        sipTimerT1x64Ms: options.sipTimerT1x64Ms ?? 32_000,
      });
      for (const [name, text] of files) await writeFile(join(configDir, name), text);
      const startedAt = Date.now();
      const janus = await spawnJanus(configDir);
      try {
        await waitForTcpAccept(wsPort, options.startTimeoutMs ?? 10_000, () =>
          janus.isRunning() ? undefined : `janus exited (${describeExit(janus.exitStatus())})`,
        );
        return new RunningJanus(janus, {
          wsUrl: `ws://127.0.0.1:${wsPort}`,
          adminWsUrl: `ws://127.0.0.1:${adminWsPort}`,
          adminSecret,
          configDir,
          startedInMs: Date.now() - startedAt,
          stopTimeoutMs: options.stopTimeoutMs ?? 5_000,
        });
      } catch (error) {
        await janus.stop({ signal: 'SIGKILL', timeoutMs: 2_000 });
        // A port taken between our probe and Janus's bind: try again on fresh ports (or, for a port given,
        // again on it: the Janus that held it may still be closing it).
        if (attempt < START_ATTEMPTS && !janus.isRunning()) {
          if (options.wsPort !== undefined) await new Promise((resolve) => setTimeout(resolve, 300));
          continue;
        }
        throw new TelephonyProcessStartError('janus', (error as Error).message, {
          cause: janus.failure('did not accept WebSocket connections'),
        });
      }
    }
  });
}

async function spawnJanus(configDir: string): Promise<OwnedProcess> {
  try {
    return await OwnedProcess.spawn('janus', JANUS_BINARY, [
      '-F',
      configDir,
      '-C',
      join(configDir, 'janus.jcfg'),
      '-o',
    ]);
  } catch (error) {
    throw new TelephonyProcessStartError('janus', `cannot execute ${JANUS_BINARY}`, { cause: error });
  }
}

function checkedRange(option: string, range: PortRange): PortRange {
  const valid =
    Number.isInteger(range.min) && Number.isInteger(range.max) && range.min >= 1024 && range.max <= 65_535;
  if (!valid || range.max - range.min < 3) {
    throw new InvalidTelephonyOptionsError(
      option,
      `expected 1024 <= min < max - 3 <= 65535, got ${range.min}-${range.max}`,
    );
  }
  return range;
}

class RunningJanus extends OwnedServer implements JanusGateway {
  readonly wsUrl: string;
  readonly adminWsUrl: string;
  readonly adminSecret: string;
  readonly startedInMs: number;

  constructor(
    janus: OwnedProcess,
    settings: {
      wsUrl: string;
      adminWsUrl: string;
      adminSecret: string;
      configDir: string;
      startedInMs: number;
      stopTimeoutMs: number;
    },
  ) {
    super(janus, settings.configDir, { signal: 'SIGINT', timeoutMs: settings.stopTimeoutMs });
    this.wsUrl = settings.wsUrl;
    this.adminWsUrl = settings.adminWsUrl;
    this.adminSecret = settings.adminSecret;
    this.startedInMs = settings.startedInMs;
  }

  get configDir(): string {
    return this.folder;
  }

  stop(): Promise<ProcessExit> {
    return this.stopAndRemoveFolder();
  }
}
