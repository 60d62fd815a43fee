import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@ringbus/service-kit';
import { loadBillingAdapterConfig } from '../src/config.js';

describe('billing-adapter configuration', () => {
  it('defaults to its own name and port 8082', () => {
    const config = loadBillingAdapterConfig({});
    expect(config.SERVICE_NAME).toBe('billing-adapter');
    expect(config.HTTP_PORT).toBe(8082);
    expect(config.HTTP_HOST).toBe('127.0.0.1');
  });

  it('names the bad variable', () => {
    expect(() => loadBillingAdapterConfig({ HTTP_PORT: 'abc' })).toThrow(ConfigurationError);
    expect(() => loadBillingAdapterConfig({ HTTP_PORT: 'abc' })).toThrow(/HTTP_PORT/);
  });
});
