import { describeExit, OwnedProcess, type ProcessExit, type StopOptions } from './owned-process.js';
import { type HttpReply, waitForHttp } from './http-probe.js';

export interface NodeProcessOptions {
  /** The script and its arguments, as given to `node`. */
  readonly args: readonly string[];
  /** Added to (and overriding) this process's environment unless `inheritEnv` is false. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly inheritEnv?: boolean;
  readonly cwd?: string;
  /** A name for error messages (default: the first argument). */
  readonly name?: string;
}

export interface NodeProcess {
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  isRunning(): boolean;
  /** Polls `url` until it answers `status` (default 200); fails at once if the process exits. */
  waitForHttp(url: string, options?: { timeoutMs?: number; status?: number }): Promise<HttpReply>;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with how the process ended; rejects, with its output, if it still runs after `timeoutMs`. */
  waitForExit(timeoutMs: number): Promise<ProcessExit>;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM (or `signal`) by PID, SIGKILL after `timeoutMs`; resolves with how the process ended. */
  stop(options?: StopOptions): Promise<ProcessExit>;
}

// The test runner's loader flags (and its `@ringbus/source` condition) would make the child run
// TypeScript sources instead of the compiled code under test.
const RUNNER_VARIABLES = ['NODE_OPTIONS'];

/** Starts `node <args>` as a child of the test process. */
export async function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  const base: Record<string, string | undefined> = options.inheritEnv === false ? {} : { ...process.env };
  for (const name of RUNNER_VARIABLES) delete base[name];
  const env = { ...base, ...options.env };
  const name = options.name ?? options.args[0] ?? 'node';
  const owned = await OwnedProcess.spawn(name, process.execPath, options.args, {
    env: Object.fromEntries(
      Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
    cwd: options.cwd,
  });
  return {
    pid: owned.pid,
    exited: owned.exited,
    output: () => owned.output(),
    isRunning: () => owned.isRunning(),
    async waitForHttp(url, waitOptions = {}) {
      try {
        return await waitForHttp(url, {
          ...waitOptions,
          abortWhen: () =>
            owned.isRunning() ? undefined : `the process exited (${describeExit(owned.exitStatus())})`,
        });
      } catch (error) {
        throw owned.failure((error as Error).message);
      }
    },
    waitForOutput: (pattern, timeoutMs = 10_000) => owned.waitForOutput(pattern, timeoutMs),
    waitForExit: (timeoutMs) => owned.waitForExit(timeoutMs),
    kill: (signal) => owned.kill(signal),
    stop: (stopOptions) => owned.stop(stopOptions),
  };
}
