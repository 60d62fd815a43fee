import { writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  descendantPids,
  describeExit,
  OwnedProcess,
  OwnedServer,
  type ProcessExit,
  startInOwnedFolder,
} from '@ringbus/testkit';
import { TelephonyBinaryMissingError, TelephonyProcessStartError } from './errors.js';
import { freeLoopbackUdpPort } from './free-udp-port.js';
import { renderKamailioConfig } from './kamailio-config.js';
import { waitForSipResponse } from './sip-options-probe.js';

export const KAMAILIO_BINARY = '/usr/sbin/kamailio';
const KAMAILIO_MODULES_DIR = '/usr/lib/x86_64-linux-gnu/kamailio/modules';

export interface KamailioOptions {
  /** Kamailio's debug level (default 2: start-up, plus one `RINGBUS` line per routing decision). */
  readonly debugLevel?: number;
  /** The folder holding `tm.so`, `registrar.so`, ... (default Debian's). */
  readonly modulesDir?: string;
  /** How long to wait until it answers SIP OPTIONS (default 10 s). */
  readonly startTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL (default 5 s). */
  readonly stopTimeoutMs?: number;
}

/** A Kamailio registrar + proxy this test started on 127.0.0.1 (UDP). */
export interface KamailioRegistrar {
  readonly sipPort: number;
  /** `sip:127.0.0.1:<port>`: the `proxy` a Janus SIP handle registers at. */
  readonly proxyUri: string;
  /** `127.0.0.1:<port>`: the remote host sipp sends to. */
  readonly address: string;
  /** The main (attendant) process; its workers are children of it. */
  readonly pid: number;
  readonly startedInMs: number;
  readonly exited: Promise<ProcessExit>;
  /** Everything Kamailio logged; routing decisions are lines containing `RINGBUS`. */
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM by PID (the attendant ends its workers); SIGKILL to all of them after the stop timeout. */
  stop(): Promise<ProcessExit>;
}

const START_ATTEMPTS = 3;

export async function startKamailio(options: KamailioOptions = {}): Promise<KamailioRegistrar> {
  if (!existsSync(KAMAILIO_BINARY)) throw new TelephonyBinaryMissingError(KAMAILIO_BINARY, 'kamailio');
  return startInOwnedFolder('ringbus-kamailio-', async (workDir) => {
    for (let attempt = 1; ; attempt++) {
      const sipPort = await freeLoopbackUdpPort();
      const configFile = join(workDir, 'kamailio.cfg');
      await writeFile(
        configFile,
        renderKamailioConfig({
          sipPort,
          modulesDir: options.modulesDir ?? KAMAILIO_MODULES_DIR,
          debugLevel: options.debugLevel ?? 2,
        }),
      );
      const startedAt = Date.now();
      const kamailio = await spawnKamailio(configFile, workDir);
      try {
        await waitForSipResponse(sipPort, options.startTimeoutMs ?? 10_000, () =>
          kamailio.isRunning() ? undefined : `kamailio exited (${describeExit(kamailio.exitStatus())})`,
        );
        return new RunningKamailio(
          kamailio,
          sipPort,
          workDir,
          Date.now() - startedAt,
          options.stopTimeoutMs ?? 5_000,
        );
      } catch (error) {
        await kamailio.stop({ signal: 'SIGTERM', timeoutMs: 2_000 });
        if (attempt < START_ATTEMPTS && /bind|address already in use/i.test(kamailio.output())) continue;
        throw new TelephonyProcessStartError('kamailio', (error as Error).message, {
          cause: kamailio.failure('did not answer SIP OPTIONS'),
        });
      }
    }
  });
}

async function spawnKamailio(configFile: string, workDir: string): Promise<OwnedProcess> {
  // -DD: stay in the foreground as the attendant of the workers; -E: log to stderr; small memory pools;
  // runtime and working folders of its own, so nothing touches /run/kamailio.
  const args = ['-DD', '-E', '-f', configFile, '-m', '32', '-M', '4', '-Y', workDir, '-w', workDir];
  try {
    return await OwnedProcess.spawn('kamailio', KAMAILIO_BINARY, args);
  } catch (error) {
    throw new TelephonyProcessStartError('kamailio', `cannot execute ${KAMAILIO_BINARY}`, { cause: error });
  }
}

function runsConfig(pid: number, workDir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(workDir);
  } catch {
    return false;
  }
}

class RunningKamailio extends OwnedServer implements KamailioRegistrar {
  readonly proxyUri: string;
  readonly address: string;
  // Known once it answers: a SIGKILLed attendant leaves its workers running, so stop() names them.
  private readonly workerPids: readonly number[];

  constructor(
    kamailio: OwnedProcess,
    readonly sipPort: number,
    workDir: string,
    readonly startedInMs: number,
    stopTimeoutMs: number,
  ) {
    super(kamailio, workDir, { signal: 'SIGTERM', timeoutMs: stopTimeoutMs });
    this.address = `127.0.0.1:${sipPort}`;
    this.proxyUri = `sip:${this.address}`;
    this.workerPids = descendantPids(kamailio.pid);
  }

  stop(): Promise<ProcessExit> {
    return this.stopAndRemoveFolder();
  }

  // Normally the workers ended with their attendant; a PID is only signalled while it still runs our config.
  protected override afterExit(): void {
    for (const pid of this.workerPids) {
      if (runsConfig(pid, this.folder)) process.kill(pid, 'SIGKILL');
    }
  }
}
