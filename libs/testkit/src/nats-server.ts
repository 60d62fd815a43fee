import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from './free-port.js';
import { forgetFolder, OwnedProcess, type ProcessExit, removeAtExit } from './owned-process.js';

export const NATS_SERVER_BINARY = '/usr/sbin/nats-server';

export interface NatsServerOptions {
  /** Enables JetStream with file storage in the server's own data folder (default true). */
  readonly jetstream?: boolean;
  /** More command-line arguments, e.g. `['--server_name', 'n1']`. */
  readonly args?: readonly string[];
  /** How long to wait for the server to accept connections (default 10 s). */
  readonly startTimeoutMs?: number;
}

export interface NatsServerProcess {
  readonly url: string;
  /** The PID of the running server (a new one after `restart()`). */
  readonly pid: number;
  readonly port: number;
  /** JetStream's store directory (`-sd`); removed by `stop()`. */
  readonly dataDir: string;
  /** Settles when the current server process has exited. */
  readonly exited: Promise<ProcessExit>;
  /** What the server printed, across restarts. */
  output(): string;
  /** Sends `signal` by PID and keeps the data folder, e.g. to `restart()` on the same store after a crash. */
  kill(signal: NodeJS.Signals): void;
  /** Stops the server if it runs (SIGTERM), then starts it again on the same port and store. */
  restart(): Promise<void>;
  /** SIGTERM by PID, SIGKILL after 5 s, then removes the data folder. */
  stop(): Promise<void>;
}

const PORT_ATTEMPTS = 3;
const STOP_TIMEOUT_MS = 5_000;

/** Runs a nats-server of its own on a free loopback port, for tests that restart, stop or configure it. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ringbus-nats-'));
  removeAtExit(dataDir);
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freeLoopbackPort();
      const args = ['-a', '127.0.0.1', '-p', String(port)];
      if (options.jetstream ?? true) args.push('-js', '-sd', dataDir);
      args.push(...(options.args ?? []));
      try {
        const server = await launch(args, startTimeoutMs);
        return new NatsServerHandle(server, args, port, dataDir, startTimeoutMs);
      } catch (error) {
        // Another process took the port between our probe and the server's bind: try a fresh one.
        if (attempt < PORT_ATTEMPTS && /address already in use/i.test((error as Error).message)) continue;
        throw error;
      }
    }
  } catch (error) {
    await removeFolder(dataDir);
    throw error;
  }
}

async function launch(args: readonly string[], startTimeoutMs: number): Promise<OwnedProcess> {
  const server = await OwnedProcess.spawn('nats-server', NATS_SERVER_BINARY, args, {});
  try {
    await server.waitForOutput(/Server is ready/, startTimeoutMs);
    return server;
  } catch (error) {
    await server.stop({ timeoutMs: 2_000 });
    throw error;
  }
}

class NatsServerHandle implements NatsServerProcess {
  readonly url: string;
  private earlierOutput = '';

  constructor(
    private current: OwnedProcess,
    private readonly args: readonly string[],
    readonly port: number,
    readonly dataDir: string,
    private readonly startTimeoutMs: number,
  ) {
    this.url = `nats://127.0.0.1:${port}`;
  }

  get pid(): number {
    return this.current.pid;
  }

  get exited(): Promise<ProcessExit> {
    return this.current.exited;
  }

  output(): string {
    return this.earlierOutput + this.current.output();
  }

  kill(signal: NodeJS.Signals): void {
    this.current.kill(signal);
  }

  async restart(): Promise<void> {
    await this.current.stop({ signal: 'SIGTERM', timeoutMs: STOP_TIMEOUT_MS });
    this.earlierOutput += this.current.output();
    this.current = await launch(this.args, this.startTimeoutMs);
  }

  async stop(): Promise<void> {
    await this.current.stop({ signal: 'SIGTERM', timeoutMs: STOP_TIMEOUT_MS });
    await removeFolder(this.dataDir);
  }
}

async function removeFolder(folder: string): Promise<void> {
  await rm(folder, { recursive: true, force: true });
  forgetFolder(folder);
}
