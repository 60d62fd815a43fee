import { readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freeLoopbackPort } from './free-port.js';
import { describeExit, forgetFolder, OwnedProcess, type ProcessExit, removeAtExit } from './owned-process.js';

const POSTGRES_ROOT = '/usr/lib/postgresql';

export interface PostgresServerOptions {
  /** More server settings, passed as `-c name=value`. */
  readonly settings?: Readonly<Record<string, string>>;
  /** How long to wait for the server to accept connections (default 15 s). */
  readonly startTimeoutMs?: number;
}

export interface PostgresServerProcess {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, trust authentication. */
  readonly url: string;
  /** The PID of the running postmaster (a new one after `restart()`). */
  readonly pid: number;
  readonly port: number;
  /** Holds the cluster (`<dataDir>/cluster`) and the Unix socket; removed by `stop()`. */
  readonly dataDir: string;
  /** Settles when the current server process has exited. */
  readonly exited: Promise<ProcessExit>;
  /** What the server printed, across restarts. */
  output(): string;
  /** Sends `signal` by PID and keeps the cluster, e.g. to `restart()` it after a crash. */
  kill(signal: NodeJS.Signals): void;
  /** Stops the server if it runs (fast shutdown), then starts it again on the same port and cluster. */
  restart(): Promise<void>;
  /** Fast shutdown (SIGINT) by PID, SIGKILL after 10 s, then removes the data folder. */
  stop(): Promise<void>;
}

const PORT_ATTEMPTS = 3;
const STOP_TIMEOUT_MS = 10_000;

interface Launch {
  readonly binDir: string;
  readonly args: readonly string[];
  readonly spawnOptions: { uid?: number; gid?: number; env: NodeJS.ProcessEnv; cwd: string };
  readonly url: string;
  readonly startTimeoutMs: number;
}

/**
 * Creates a throw-away PostgreSQL cluster in a temporary folder and runs it on a free loopback port, for
 * tests that stop, restart or reconfigure the database. initdb refuses to run as root, so under root the
 * cluster belongs to the `postgres` system user and both programs run with its uid and gid.
 */
export async function startPostgresServer(
  options: PostgresServerOptions = {},
): Promise<PostgresServerProcess> {
  const binDir = postgresBinDir();
  const owner = clusterOwner();
  const dataDir = await mkdtemp(join(tmpdir(), 'ringbus-pg-'));
  removeAtExit(dataDir);
  try {
    if (owner !== undefined) await chown(dataDir, owner.uid, owner.gid);
    const clusterDir = join(dataDir, 'cluster');
    const spawnOptions = { ...owner, env: { ...process.env, LC_ALL: 'C', HOME: dataDir }, cwd: dataDir };
    const initdb = await OwnedProcess.spawn(
      'initdb',
      join(binDir, 'initdb'),
      ['-D', clusterDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      spawnOptions,
    );
    const initExit = await initdb.exited;
    if (initExit.code !== 0) throw initdb.failure(`failed (${describeExit(initExit)})`);

    const settings = {
      listen_addresses: '127.0.0.1',
      // A test cluster is thrown away: durability would only cost time.
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      ...options.settings,
    };
    for (let attempt = 1; ; attempt++) {
      const port = await freeLoopbackPort();
      const args = ['-D', clusterDir, '-p', String(port), '-k', dataDir];
      for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      const plan: Launch = {
        binDir,
        args,
        spawnOptions,
        url,
        startTimeoutMs: options.startTimeoutMs ?? 15_000,
      };
      try {
        return new PostgresServerHandle(await launch(plan), plan, port, dataDir);
      } catch (error) {
        // Another process took the port between our probe and the server's bind: try a fresh one.
        if (
          attempt < PORT_ATTEMPTS &&
          /could not bind|address already in use/i.test((error as Error).message)
        )
          continue;
        throw error;
      }
    }
  } catch (error) {
    await removeFolder(dataDir);
    throw error;
  }
}

async function launch(plan: Launch): Promise<OwnedProcess> {
  const server = await OwnedProcess.spawn(
    'postgres',
    join(plan.binDir, 'postgres'),
    plan.args,
    plan.spawnOptions,
  );
  try {
    await server.waitForOutput(/database system is ready to accept connections/, plan.startTimeoutMs);
    await selectOne(plan.url);
    return server;
  } catch (error) {
    await server.stop({ signal: 'SIGINT', timeoutMs: 5_000 });
    throw error;
  }
}

class PostgresServerHandle implements PostgresServerProcess {
  readonly url: string;
  private earlierOutput = '';

  constructor(
    private current: OwnedProcess,
    private readonly plan: Launch,
    readonly port: number,
    readonly dataDir: string,
  ) {
    this.url = plan.url;
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
    await this.current.stop({ signal: 'SIGINT', timeoutMs: STOP_TIMEOUT_MS });
    this.earlierOutput += this.current.output();
    this.current = await launch(this.plan);
  }

  async stop(): Promise<void> {
    await this.current.stop({ signal: 'SIGINT', timeoutMs: STOP_TIMEOUT_MS });
    await removeFolder(this.dataDir);
  }
}

/** The newest PostgreSQL installed under /usr/lib/postgresql/<major>/bin. */
function postgresBinDir(): string {
  let majors: number[];
  try {
    majors = readdirSync(POSTGRES_ROOT)
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number)
      .sort((a, b) => b - a);
  } catch {
    majors = [];
  }
  const newest = majors[0];
  if (newest === undefined) {
    throw new Error(`no PostgreSQL server under ${POSTGRES_ROOT}: install the Debian package postgresql`);
  }
  return join(POSTGRES_ROOT, String(newest), 'bin');
}

/** Under root, the `postgres` system user's ids; otherwise undefined (run as ourselves). */
function clusterOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const fields = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'))
    ?.split(':');
  if (fields === undefined || fields.length < 4) {
    throw new Error(
      'running as root, but there is no postgres user to own a test cluster (initdb refuses root)',
    );
  }
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

async function selectOne(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query('SELECT 1');
  } finally {
    await client.end();
  }
}

async function removeFolder(folder: string): Promise<void> {
  await rm(folder, { recursive: true, force: true });
  forgetFolder(folder);
}
