export {
  createCallCommandHandler,
  foldCallEvents,
  type CallCommandContext,
  type CallCommandHandler,
  type CallCommandHandlerOptions,
  type CallCommandOutcome,
} from './call-command-handler.js';
export { CallCommandConflictError } from './errors.js';
