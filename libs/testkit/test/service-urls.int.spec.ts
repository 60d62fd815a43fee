import { describe, expect, it } from 'vitest';
import { createTestSchema, testDatabaseUrl } from '@ringbus/testkit';

describe('test kit', () => {
  it('gives each test its own PostgreSQL schema and drops it', async () => {
    const first = await createTestSchema('kit');
    const second = await createTestSchema('kit');
    expect(first.schema).not.toBe(second.schema);
    await first.pool.query('CREATE TABLE marker (id int)');
    const { rows } = await first.pool.query<{ schema: string }>('SELECT current_schema() AS schema');
    expect(rows[0]?.schema).toBe(first.schema);
    await expect(second.pool.query('SELECT * FROM marker')).rejects.toThrow(/marker/);
    await first.drop();
    await second.drop();
    expect((await testDatabaseUrl()).url).toMatch(/^postgres/);
  });
});
