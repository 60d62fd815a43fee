import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@ringbus/service-kit';
import { loadPushConfig } from '../src/config.js';

describe('push configuration', () => {
  it('defaults to its own name and port 8083', () => {
    const config = loadPushConfig({});
    expect(config.SERVICE_NAME).toBe('push');
    expect(config.HTTP_PORT).toBe(8083);
    expect(config.HTTP_HOST).toBe('127.0.0.1');
  });

  it('names the bad variable', () => {
    expect(() => loadPushConfig({ HTTP_PORT: 'abc' })).toThrow(ConfigurationError);
    expect(() => loadPushConfig({ HTTP_PORT: 'abc' })).toThrow(/HTTP_PORT/);
  });
});
