import pg from 'pg';
import { testDatabaseUrl } from './service-urls.js';
import { uniqueTestName } from './unique-names.js';

export interface TestSchema {
  /** A schema no other test uses; dropped with everything in it by `drop()`. */
  readonly schema: string;
  readonly databaseUrl: string;
  /** A pool whose connections have `search_path` set to the test schema. */
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

export async function createTestSchema(prefix = 'test', poolSize = 10): Promise<TestSchema> {
  const { url } = await testDatabaseUrl();
  const schema = uniqueTestName(prefix);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: `-c search_path=${schema}` });
  return {
    schema,
    databaseUrl: url,
    pool,
    async drop() {
      await pool.end();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
