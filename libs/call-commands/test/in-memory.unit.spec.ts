import { createInMemoryEventStore } from '@ringbus/event-store';
import { runCallCommandHandlerContract } from './call-command-handler.contract.js';

runCallCommandHandlerContract('the in-memory store', async () => createInMemoryEventStore());
