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

  it('projects CDRs into the current schema with the default durable unless configured', () => {
    const config = loadBillingAdapterConfig({});
    expect(config.CDR_SCHEMA).toBeUndefined();
    expect(config.CDR_DEFAULT_COUNTRY_CODE).toBe('');
    expect(config.EVENTS_DURABLE_NAME).toBe('billing-cdr');
    expect(loadBillingAdapterConfig({ CDR_DEFAULT_COUNTRY_CODE: '49' }).CDR_DEFAULT_COUNTRY_CODE).toBe('49');
    expect(() => loadBillingAdapterConfig({ CDR_DEFAULT_COUNTRY_CODE: '+49' })).toThrow(
      /CDR_DEFAULT_COUNTRY_CODE/,
    );
    expect(() => loadBillingAdapterConfig({ CDR_SCHEMA: 'Billing; drop' })).toThrow(/CDR_SCHEMA/);
  });

  it('names the bad variable', () => {
    expect(() => loadBillingAdapterConfig({ HTTP_PORT: 'abc' })).toThrow(ConfigurationError);
    expect(() => loadBillingAdapterConfig({ HTTP_PORT: 'abc' })).toThrow(/HTTP_PORT/);
  });
});
