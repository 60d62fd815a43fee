import { freeLoopbackPort } from './free-port.js';
import { type OwnedProcess, type ProcessExit, type StopOptions } from './owned-process.js';
import { OwnedServer } from './owned-server.js';

/** A server of the test's own on a free loopback port, its data in a folder of its own. */
export interface LoopbackServerProcess {
  readonly url: string;
  /** The PID of the running server (a new one after `restart()`). */
  readonly pid: number;
  readonly port: number;
  /** The server's data folder; removed by `stop()`. */
  readonly dataDir: string;
  /** Settles when the current server process has exited. */
  readonly exited: Promise<ProcessExit>;
  /** What the server printed, across restarts. */
  output(): string;
  /** Sends `signal` by PID and keeps the data folder, e.g. to `restart()` on the same data after a crash. */
  kill(signal: NodeJS.Signals): void;
  /** Stops the server if it runs, then starts it again on the same port and data folder. */
  restart(): Promise<void>;
  /** Stops the server by PID (SIGKILL after a timeout), then removes the data folder. */
  stop(): Promise<void>;
}

export class LoopbackServer extends OwnedServer implements LoopbackServerProcess {
  private readonly relaunch: () => Promise<OwnedProcess>;

  constructor(
    first: OwnedProcess,
    readonly url: string,
    readonly port: number,
    settings: {
      readonly dataDir: string;
      readonly stopWith: StopOptions;
      /** Starts the server again on the same port and data folder. */
      readonly relaunch: () => Promise<OwnedProcess>;
    },
  ) {
    super(first, settings.dataDir, settings.stopWith);
    this.relaunch = settings.relaunch;
  }

  get dataDir(): string {
    return this.folder;
  }

  restart(): Promise<void> {
    return this.replaceProcess(this.relaunch);
  }

  async stop(): Promise<void> {
    await this.stopAndRemoveFolder();
  }
}

const PORT_ATTEMPTS = 3;

/**
 * Runs `start` on a port `freeLoopbackPort` found, and again on a fresh one (up to 3 times in all) while it
 * fails with a message matching `portTaken`: another process took the port between our probe and the
 * server's bind.
 */
export async function startOnFreePort<T>(start: (port: number) => Promise<T>, portTaken: RegExp): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freeLoopbackPort());
    } catch (error) {
      if (attempt < PORT_ATTEMPTS && portTaken.test((error as Error).message)) continue;
      throw error;
    }
  }
}
