import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';

export interface ChildExit {
  /** The exit code, or null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const OUTPUT_LIMIT_CHARS = 2_000_000;

// Children and folders this test process owns are released even when a test crashes before its cleanup,
// so no Janus, Kamailio or sipp outlives the run that started it.
const liveChildren = new Set<OwnedChild>();
const ownedFolders = new Set<string>();
let exitCleanupInstalled = false;

function installExitCleanup(): void {
  if (exitCleanupInstalled) return;
  exitCleanupInstalled = true;
  process.once('exit', () => {
    for (const child of liveChildren) child.killWithDescendants('SIGKILL');
    for (const folder of ownedFolders) rmSync(folder, { recursive: true, force: true });
  });
}

/** Removes `folder` when this process exits, unless `forgetFolder` is called first. */
export function removeFolderAtExit(folder: string): void {
  installExitCleanup();
  ownedFolders.add(folder);
}

export function forgetFolder(folder: string): void {
  ownedFolders.delete(folder);
}

/** A child process the test started: output captured, signalled by its own PID only. */
export class OwnedChild {
  readonly pid: number;
  /** Settles once the process has exited and been reaped. */
  readonly exited: Promise<ChildExit>;
  private captured = '';
  private exit: ChildExit | undefined;
  private readonly listeners = new Set<() => void>();

  private constructor(
    readonly name: string,
    child: ChildProcess,
  ) {
    if (child.pid === undefined) throw new Error(`${name} has no PID`);
    this.pid = child.pid;
    const append = (chunk: Buffer): void => {
      this.captured += chunk.toString('utf8');
      if (this.captured.length > OUTPUT_LIMIT_CHARS) this.captured = this.captured.slice(-OUTPUT_LIMIT_CHARS);
      for (const listener of this.listeners) listener();
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        liveChildren.delete(this);
        for (const listener of this.listeners) listener();
        resolve(this.exit);
      });
    });
    installExitCleanup();
    liveChildren.add(this);
  }

  /** Spawns `command`; rejects when it cannot be executed at all (e.g. ENOENT). */
  static async spawn(
    name: string,
    command: string,
    args: readonly string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ): Promise<OwnedChild> {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    return new OwnedChild(name, child);
  }

  /** Everything the process wrote to stdout and stderr so far (the last 2 MB). */
  output(): string {
    return this.captured;
  }

  exitStatus(): ChildExit | undefined {
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
   * Signals the process and every process it forked, by PID. Kamailio's workers survive a SIGKILL of their
   * parent (they are re-parented, not killed), so a hard stop has to name them too.
   */
  killWithDescendants(signal: NodeJS.Signals): void {
    if (this.exit !== undefined) return;
    const pids = [this.pid, ...descendantPids(this.pid)];
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
  }

  /**
   * Sends `signal`, then SIGKILL (to the process and its descendants) when it still runs `timeoutMs` later.
   */
  async stop(signal: NodeJS.Signals, timeoutMs: number): Promise<ChildExit> {
    if (this.exit !== undefined) return this.exit;
    this.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.exited, deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.killWithDescendants('SIGKILL');
    return this.exited;
  }

  /** Resolves with the first match of `pattern` in the output; rejects on exit or after `timeoutMs`. */
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
        this.listeners.delete(check);
        finish();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** An error naming this process, with the tail of its output, for failed waits. */
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

export function describeExit(exit: ChildExit | undefined): string {
  if (exit === undefined) return 'running';
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.code}`;
}
