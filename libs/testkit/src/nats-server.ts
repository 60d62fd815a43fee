import { type LoopbackServerProcess, LoopbackServer, startOnFreePort } from './loopback-server.js';
import { startInOwnedFolder } from './owned-folder.js';
import { OwnedProcess } from './owned-process.js';

export const NATS_SERVER_BINARY = '/usr/sbin/nats-server';

export interface NatsServerOptions {
  /** Enables JetStream with file storage in the server's own data folder (default true). */
  readonly jetstream?: boolean;
  /** More command-line arguments, e.g. `['--server_name', 'n1']`. */
  readonly args?: readonly string[];
  /** How long to wait for the server to accept connections (default 10 s). */
  readonly startTimeoutMs?: number;
}

/** `dataDir` is JetStream's store (`-sd`); `stop()` sends SIGTERM, SIGKILL after 5 s. */
export type NatsServerProcess = LoopbackServerProcess;

const STOP_TIMEOUT_MS = 5_000;

/** Runs a nats-server of its own on a free loopback port, for tests that restart, stop or configure it. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerProcess> {
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  return startInOwnedFolder('ringbus-nats-', (dataDir) =>
    startOnFreePort(async (port) => {
      const args = ['-a', '127.0.0.1', '-p', String(port)];
      if (options.jetstream ?? true) args.push('-js', '-sd', dataDir);
      args.push(...(options.args ?? []));
      return new LoopbackServer(await launch(args, startTimeoutMs), `nats://127.0.0.1:${port}`, port, {
        dataDir,
        stopWith: { signal: 'SIGTERM', timeoutMs: STOP_TIMEOUT_MS },
        relaunch: () => launch(args, startTimeoutMs),
      });
    }, /address already in use/i),
  );
}

async function launch(args: readonly string[], startTimeoutMs: number): Promise<OwnedProcess> {
  const server = await OwnedProcess.spawn('nats-server', NATS_SERVER_BINARY, args);
  try {
    await server.waitForOutput(/Server is ready/, startTimeoutMs);
    return server;
  } catch (error) {
    await server.stop({ timeoutMs: 2_000 });
    throw error;
  }
}
