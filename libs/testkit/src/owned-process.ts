import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessExit {
  /** The exit code, or null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface StopOptions {
  /** The first signal sent (default SIGTERM). */
  readonly signal?: NodeJS.Signals;
  /** How long to wait after the first signal before SIGKILL (default 10 s). */
  readonly timeoutMs?: number;
}

const OUTPUT_LIMIT_CHARS = 1_000_000;

// Children this test process owns are killed even when a test crashes before its cleanup runs, so no
// server outlives the run that started it.
const liveProcesses = new Set<OwnedProcess>();
let exitCleanupInstalled = false;

function installExitCleanup(): void {
  if (exitCleanupInstalled) return;
  exitCleanupInstalled = true;
  // Ahead of every other exit listener, so the owned folders are removed only after their users were killed.
  process.prependOnceListener('exit', () => {
    for (const owned of liveProcesses) {
      try {
        owned.killWithDescendants('SIGKILL');
      } catch {
        // Not ours to signal after all (EPERM): the remaining ones still get theirs.
      }
    }
  });
}

/**
 * A child process this test started: its output is captured, and it (and what it forked) is signalled by
 * PID only, never by name.
 */
export class OwnedProcess {
  readonly pid: number;
  /** Settles once the process has exited and been reaped, so its PID no longer exists. */
  readonly exited: Promise<ProcessExit>;
  private captured = '';
  private exit: ProcessExit | undefined;
  private readonly outputListeners = new Set<() => void>();

  private constructor(
    readonly name: string,
    child: ChildProcess,
  ) {
    if (child.pid === undefined) throw new Error(`${name} did not start`);
    this.pid = child.pid;
    const append = (chunk: Buffer): void => {
      this.captured += chunk.toString('utf8');
      if (this.captured.length > OUTPUT_LIMIT_CHARS) this.captured = this.captured.slice(-OUTPUT_LIMIT_CHARS);
      for (const listener of this.outputListeners) listener();
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        liveProcesses.delete(this);
        for (const listener of this.outputListeners) listener();
        resolve(this.exit);
      });
    });
    installExitCleanup();
    liveProcesses.add(this);
  }

  /** Spawns `command`; fails if it cannot be executed at all. */
  static async spawn(
    name: string,
    command: string,
    args: readonly string[],
    options: SpawnOptions = {},
  ): Promise<OwnedProcess> {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (error) =>
        reject(new Error(`could not start ${name} (${command}): ${error.message}`, { cause: error })),
      );
    });
    return new OwnedProcess(name, child);
  }

  /** Everything the process wrote to stdout and stderr so far (the last megabyte). */
  output(): string {
    return this.captured;
  }

  /** The exit status, or undefined while the process runs. */
  exitStatus(): ProcessExit | undefined {
    return this.exit;
  }

  isRunning(): boolean {
    return this.exit === undefined;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.exit !== undefined) return;
    try {
      process.kill(this.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  /**
   * Signals the process and every process it forked, by PID. Some servers' workers survive a SIGKILL of
   * their parent (Kamailio's are re-parented, not killed), so a hard stop has to name them too.
   */
  killWithDescendants(signal: NodeJS.Signals): void {
    if (this.exit !== undefined) return;
    for (const pid of [this.pid, ...descendantPids(this.pid)]) {
      try {
        process.kill(pid, signal);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
  }

  /**
   * Sends `signal` (SIGTERM), then SIGKILL to the process and its descendants if it has not exited within
   * `timeoutMs`.
   */
  async stop(options: StopOptions = {}): Promise<ProcessExit> {
    if (this.exit !== undefined) return this.exit;
    this.kill(options.signal ?? 'SIGTERM');
    const timeoutMs = options.timeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.exited, deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.killWithDescendants('SIGKILL');
    return this.exited;
  }

  /** Resolves with how the process ended; rejects, with its output, if it still runs after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ProcessExit> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.failure(`still runs ${timeoutMs} ms later`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Resolves with the first match of `pattern` in the output; rejects when the process exits first or
   * `timeoutMs` passes, with the output so far in the message.
   */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const match = this.captured.match(pattern);
        if (match !== null) return settle(() => resolve(match));
        if (this.exit !== undefined) {
          return settle(() =>
            reject(this.failure(`exited (${describeExit(this.exit)}) before printing ${pattern}`)),
          );
        }
      };
      const timer = setTimeout(
        () => settle(() => reject(this.failure(`did not print ${pattern} within ${timeoutMs} ms`))),
        timeoutMs,
      );
      const settle = (finish: () => void): void => {
        clearTimeout(timer);
        this.outputListeners.delete(check);
        finish();
      };
      this.outputListeners.add(check);
      check();
    });
  }

  /** An error naming this process and carrying the tail of its output, for failed waits. */
  failure(what: string): Error {
    return new Error(`${this.name} (pid ${this.pid}) ${what}. Output:\n${this.captured.slice(-4000)}`);
  }
}

/** The PIDs of every process below `pid`, from /proc (empty when it has none or is gone). */
export function descendantPids(pid: number): number[] {
  const found: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const parent = pending.pop() as number;
    let threads: string[];
    try {
      threads = readdirSync(`/proc/${parent}/task`);
    } catch {
      continue;
    }
    for (const thread of threads) {
      let children = '';
      try {
        children = readFileSync(`/proc/${parent}/task/${thread}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const child of children.split(' ').filter((text) => text.trim() !== '')) {
        const childPid = Number(child);
        found.push(childPid);
        pending.push(childPid);
      }
    }
  }
  return found;
}

export function describeExit(exit: ProcessExit | undefined): string {
  if (exit === undefined) return 'running';
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/** True while a process with this PID exists (a zombie counts as existing). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
