import { ConfigurationError, ServiceKitError } from './errors.js';
import { createServiceLogger } from './logger.js';

/**
 * Reports why a service could not start, as one log line on stderr (the config may be what failed, so
 * the service's own logger may not exist), and exits 1.
 */
export function exitOnStartupFailure(error: unknown, serviceName: string): never {
  const logger = createServiceLogger({ SERVICE_NAME: serviceName, LOG_LEVEL: 'info' }, 2);
  if (error instanceof ConfigurationError) {
    logger.fatal({ code: error.code, retryable: error.retryable, variables: error.variables }, error.message);
  } else if (error instanceof ServiceKitError) {
    logger.fatal({ code: error.code, retryable: error.retryable, err: error.cause }, error.message);
  } else {
    logger.fatal({ err: error }, 'the service could not start');
  }
  process.exit(1);
}
