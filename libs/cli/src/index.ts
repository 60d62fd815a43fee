export { ringbusProgram, portaBillingFromEnv, EXIT, type CliIo } from './program.js';
export { loadCliConfig, cliConfigSchema, portaBillingConfigSchema, type CliConfig } from './config.js';
export {
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
