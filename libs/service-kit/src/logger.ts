import { type LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import { type CommonServiceConfig } from './config.js';

export type ServiceLogger = Logger;

/**
 * One JSON line per entry on stdout, written synchronously so the last lines before `process.exit`
 * (a failed start, a forced shutdown) are never lost.
 */
export function createServiceLogger(
  config: Pick<CommonServiceConfig, 'SERVICE_NAME' | 'LOG_LEVEL'>,
  fd: 1 | 2 = 1,
): ServiceLogger {
  return pino(
    {
      level: config.LOG_LEVEL,
      base: { service: config.SERVICE_NAME, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: fd, sync: true }),
  );
}

type PinoLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Routes Nest's own log lines (module start-up, routes, errors) through the service's pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: ServiceLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: PinoLevel, message: unknown, params: unknown[]): void {
    // Nest passes (message, context) or, for errors, (message, stack, context).
    const context =
      params.length > 0 && typeof params.at(-1) === 'string' ? (params.at(-1) as string) : undefined;
    const stack =
      level === 'error' && params.length >= 2 && typeof params[0] === 'string' ? params[0] : undefined;
    if (message instanceof Error) {
      this.logger[level]({ context, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ context, ...message });
    } else {
      this.logger[level]({ context, stack }, String(message));
    }
  }
}
