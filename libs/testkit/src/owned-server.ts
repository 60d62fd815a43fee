import { removeOwnedFolder } from './owned-folder.js';
import { type OwnedProcess, type ProcessExit, type StopOptions } from './owned-process.js';

/**
 * A server process this test started with a folder of its own (configuration, data, logs), from
 * `startInOwnedFolder`: signalled by PID, and its folder removed once it has been seen to exit. Each server
 * adds what it is reached by, and its own `stop()` (and `restart()`) on top.
 */
export class OwnedServer {
  private earlierOutput = '';

  constructor(
    private current: OwnedProcess,
    readonly folder: string,
    /** How the server is ended: the first signal, and how long until SIGKILL. */
    private readonly stopWith: StopOptions,
  ) {}

  /** The PID of the running server (a new one after a restart). */
  get pid(): number {
    return this.current.pid;
  }

  /** Settles when the current server process has exited. */
  get exited(): Promise<ProcessExit> {
    return this.current.exited;
  }

  /** What the server printed, across restarts. */
  output(): string {
    return this.earlierOutput + this.current.output();
  }

  /** The first match of `pattern` in what the current server process printed. */
  waitForOutput(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return this.current.waitForOutput(pattern, timeoutMs);
  }

  /** Sends `signal` by PID and keeps the folder, e.g. SIGKILL to simulate a crash. */
  kill(signal: NodeJS.Signals): void {
    this.current.kill(signal);
  }

  /** Stops the current process if it runs, keeping the folder, and puts the one `launch` starts in its place. */
  protected async replaceProcess(launch: () => Promise<OwnedProcess>): Promise<void> {
    await this.current.stop(this.stopWith);
    this.earlierOutput += this.current.output();
    this.current = await launch();
  }

  /** Ends the server by PID (SIGKILL to it and its descendants after the timeout), then removes its folder. */
  protected async stopAndRemoveFolder(): Promise<ProcessExit> {
    const exit = await this.current.stop(this.stopWith);
    this.afterExit();
    await removeOwnedFolder(this.folder);
    return exit;
  }

  /** Runs in `stopAndRemoveFolder()` once the server has exited, before its folder is removed. */
  protected afterExit(): void {}
}
