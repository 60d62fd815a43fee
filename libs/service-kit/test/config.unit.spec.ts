import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  commonConfigSchema,
  ConfigurationError,
  httpPortSchema,
  loadServiceConfig,
  redactUrl,
  serviceNameSchema,
} from '@ringbus/service-kit';

const exampleSchema = commonConfigSchema.extend({
  SERVICE_NAME: serviceNameSchema.default('example'),
  HTTP_PORT: httpPortSchema.default(8099),
  EXAMPLE_REGION: z.string().default('eu'),
});

function configurationErrorOf(run: () => unknown): ConfigurationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('loadServiceConfig', () => {
  it('fills every default from an empty environment', () => {
    expect(loadServiceConfig(exampleSchema, {})).toEqual({
      SERVICE_NAME: 'example',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: 8099,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      NATS_URL: 'nats://127.0.0.1:4222',
      LOG_LEVEL: 'info',
      EXAMPLE_REGION: 'eu',
    });
  });

  it('reads the environment, converting the port to a number, and freezes the result', () => {
    const config = loadServiceConfig(exampleSchema, {
      HTTP_HOST: '0.0.0.0',
      HTTP_PORT: ' 9000 ',
      DATABASE_URL: 'postgresql://app:secret@db.internal:6432/ringbus',
      NATS_URL: 'nats://n1:4222, nats://n2:4222',
      LOG_LEVEL: 'debug',
      UNRELATED: 'ignored',
    });
    expect(config.HTTP_PORT).toBe(9000);
    expect(config.HTTP_HOST).toBe('0.0.0.0');
    expect(config.NATS_URL).toBe('nats://n1:4222, nats://n2:4222');
    expect(config).not.toHaveProperty('UNRELATED');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats an empty variable as unset', () => {
    expect(loadServiceConfig(exampleSchema, { HTTP_HOST: '', HTTP_PORT: '' }).HTTP_PORT).toBe(8099);
  });

  it('names every bad and every missing variable in one error', () => {
    const error = configurationErrorOf(() =>
      loadServiceConfig(commonConfigSchema, {
        HTTP_PORT: 'abc',
        DATABASE_URL: 'mysql://db/x',
        NATS_URL: 'nats://ok:4222,http://wrong',
        LOG_LEVEL: 'loud',
      }),
    );
    expect(error.code).toBe('CONFIGURATION_INVALID');
    expect(error.retryable).toBe(false);
    expect([...error.variables].sort()).toEqual([
      'DATABASE_URL',
      'HTTP_PORT',
      'LOG_LEVEL',
      'NATS_URL',
      'SERVICE_NAME',
    ]);
    expect(error.message).toContain('HTTP_PORT must be a whole number from 1 to 65535');
    expect(error.message).toContain('SERVICE_NAME is required');
    expect(error.message).toContain(
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it.each(['0', '65536', '80.5', '-1'])('refuses HTTP_PORT=%s', (port) => {
    const error = configurationErrorOf(() => loadServiceConfig(exampleSchema, { HTTP_PORT: port }));
    expect(error.variables).toEqual(['HTTP_PORT']);
  });

  it('refuses a service name that cannot name a NATS connection or a log stream', () => {
    const error = configurationErrorOf(() =>
      loadServiceConfig(exampleSchema, { SERVICE_NAME: 'Signaling Service' }),
    );
    expect(error.variables).toEqual(['SERVICE_NAME']);
  });
});

describe('redactUrl', () => {
  it('hides passwords, in every member of a list', () => {
    expect(redactUrl('postgres://app:secret@db:5432/x')).toBe('postgres://app:***@db:5432/x');
    expect(redactUrl('nats://u:p@n1:4222,nats://n2:4222')).toBe('nats://u:***@n1:4222,nats://n2:4222');
    expect(redactUrl('not a url')).toBe('(unparseable URL)');
  });
});
