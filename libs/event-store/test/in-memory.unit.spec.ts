import { createInMemoryEventStore } from '../src/index.js';
import { runEventStoreContract } from './event-store.contract.js';

runEventStoreContract('in-memory', async () => createInMemoryEventStore());
