import { createPostgresEventStore, migratePostgresEventStore } from '@ringbus/event-store';
import { createTestSchema } from '@ringbus/testkit';
import { runCallCommandHandlerContract } from './call-command-handler.contract.js';

runCallCommandHandlerContract('PostgreSQL', async () => {
  const schema = await createTestSchema('call_commands');
  await migratePostgresEventStore(schema.pool);
  const store = createPostgresEventStore({ pool: schema.pool });
  return Object.assign(store, { dispose: () => schema.drop() });
});
