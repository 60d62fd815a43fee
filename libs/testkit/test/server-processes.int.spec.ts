import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { processExists, startNatsServer, startPostgresServer } from '@ringbus/testkit';

describe('startNatsServer', () => {
  it('runs its own JetStream server on a free port and stops it by PID, removing its store', async () => {
    const server = await startNatsServer();
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    expect(server.port).not.toBe(4222);
    expect(processExists(server.pid)).toBe(true);

    const nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.add({ name: 'kit_probe', subjects: ['kit.probe'] });
    expect(info.config.storage).toBe('file');
    await nc.close();
    expect(existsSync(server.dataDir)).toBe(true);

    await server.stop();
    expect(processExists(server.pid)).toBe(false);
    expect(existsSync(server.dataDir)).toBe(false);
    await expect(connect({ servers: server.url, reconnect: false, timeout: 500 })).rejects.toThrow();
  });

  it('runs without JetStream when asked and passes extra arguments', async () => {
    const server = await startNatsServer({ jetstream: false, args: ['--server_name', 'kit_plain'] });
    try {
      const nc = await connect({ servers: server.url });
      expect(nc.info?.server_name).toBe('kit_plain');
      expect(nc.info?.jetstream ?? false).toBe(false);
      await nc.close();
    } finally {
      await server.stop();
    }
    expect(processExists(server.pid)).toBe(false);
  });

  it('restarts on the same port and store after being killed, keeping JetStream streams', async () => {
    const server = await startNatsServer();
    try {
      const before = await connect({ servers: server.url });
      await (await jetstreamManager(before)).streams.add({ name: 'kit_durable', subjects: ['kit.durable'] });
      await before.close();
      const firstPid = server.pid;

      server.kill('SIGKILL');
      expect((await server.exited).signal).toBe('SIGKILL');
      expect(processExists(firstPid)).toBe(false);
      await server.restart();
      expect(server.pid).not.toBe(firstPid);

      const after = await connect({ servers: server.url });
      const info = await (await jetstreamManager(after)).streams.info('kit_durable');
      expect(info.config.subjects).toEqual(['kit.durable']);
      await after.close();
    } finally {
      await server.stop();
    }
    expect(processExists(server.pid)).toBe(false);
    expect(existsSync(server.dataDir)).toBe(false);
  });
});

describe('startPostgresServer', () => {
  it('creates a throw-away cluster, serves it on a free port with trust auth, and stops it by PID', async () => {
    const startedAt = performance.now();
    const server = await startPostgresServer();
    expect(performance.now() - startedAt).toBeLessThan(10_000);
    expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/postgres`);
    expect(processExists(server.pid)).toBe(true);

    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const { rows } = await client.query<{ port: string; fsync: string; dir: string }>(
      `SELECT current_setting('port') AS port, current_setting('fsync') AS fsync,
              current_setting('data_directory') AS dir`,
    );
    await client.end();
    expect(rows[0]).toEqual({ port: String(server.port), fsync: 'off', dir: `${server.dataDir}/cluster` });

    await server.stop();
    expect(processExists(server.pid)).toBe(false);
    expect(existsSync(server.dataDir)).toBe(false);
    const late = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 1_000 });
    await expect(late.connect()).rejects.toThrow();
  });

  it('applies extra settings', async () => {
    const server = await startPostgresServer({ settings: { max_connections: '17' } });
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query<{ max_connections: string }>('SHOW max_connections');
      await client.end();
      expect(rows[0]?.max_connections).toBe('17');
    } finally {
      await server.stop();
    }
  });

  it('restarts on the same port and cluster, keeping committed rows', async () => {
    const server = await startPostgresServer();
    try {
      const before = new pg.Client({ connectionString: server.url });
      await before.connect();
      await before.query('CREATE TABLE kit_marker (id int); INSERT INTO kit_marker VALUES (7)');
      await before.end();
      const firstPid = server.pid;

      await server.restart();
      expect(processExists(firstPid)).toBe(false);
      expect(server.pid).not.toBe(firstPid);

      const after = new pg.Client({ connectionString: server.url });
      await after.connect();
      const { rows } = await after.query<{ id: number }>('SELECT id FROM kit_marker');
      await after.end();
      expect(rows).toEqual([{ id: 7 }]);
    } finally {
      await server.stop();
    }
    expect(processExists(server.pid)).toBe(false);
  });
});
