import { readdirSync, readFileSync } from 'node:fs';
import { chown } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { type LoopbackServerProcess, LoopbackServer, startOnFreePort } from './loopback-server.js';
import { startInOwnedFolder } from './owned-folder.js';
import { describeExit, OwnedProcess } from './owned-process.js';

const POSTGRES_ROOT = '/usr/lib/postgresql';

export interface PostgresServerOptions {
  /** More server settings, passed as `-c name=value`. */
  readonly settings?: Readonly<Record<string, string>>;
  /** How long to wait for the server to accept connections (default 15 s). */
  readonly startTimeoutMs?: number;
}

/**
 * `dataDir` holds the cluster (`<dataDir>/cluster`) and the Unix socket; `url` is
 * `postgres://postgres@127.0.0.1:<port>/postgres` with trust authentication; `stop()` is a fast shutdown
 * (SIGINT), SIGKILL after 10 s.
 */
export type PostgresServerProcess = LoopbackServerProcess;

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
  return startInOwnedFolder('ringbus-pg-', async (dataDir) => {
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
    return startOnFreePort(async (port) => {
      const args = ['-D', clusterDir, '-p', String(port), '-k', dataDir];
      for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
      const plan: Launch = {
        binDir,
        args,
        spawnOptions,
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        startTimeoutMs: options.startTimeoutMs ?? 15_000,
      };
      return new LoopbackServer(await launch(plan), plan.url, port, {
        dataDir,
        stopWith: { signal: 'SIGINT', timeoutMs: STOP_TIMEOUT_MS },
        relaunch: () => launch(plan),
      });
    }, /could not bind|address already in use/i);
  });
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
