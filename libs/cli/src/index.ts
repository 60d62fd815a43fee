export { ringbusProgram, portaBillingFromEnv, EXIT, type CliIo } from './program.js';
export { loadCliConfig, cliConfigSchema, portaBillingConfigSchema, type CliConfig } from './config.js';
export {
  CliCallNotFoundError,
  CliConfigurationError,
  CliDatabaseUnavailableError,
  CliUsageError,
  type CliErrorCode,
  type CliConfigurationProblem,
} from './errors.js';
export { parsePeriod, parseTimeOption, type Period } from './period.js';
export {
  cdrCsv,
  cdrJson,
  cdrText,
  csvField,
  reconciliationCsv,
  reconciliationJson,
  reconciliationText,
  RECONCILIATION_CSV_HEADER,
} from './report-format.js';
export {
  callTraceJson,
  callTraceOf,
  callTraceText,
  EVENT_PRODUCERS,
  parseTraceTarget,
  traceIdOf,
  type CallTrace,
  type CallTraceEntry,
  type TraceTarget,
} from './call-trace.js';
export { findTracedCall, type TracedCall } from './call-trace-lookup.js';
