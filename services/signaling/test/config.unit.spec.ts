import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@ringbus/service-kit';
import { loadSignalingConfig } from '../src/config.js';

describe('signaling configuration', () => {
  it('defaults to its own name and port 8080', () => {
    const config = loadSignalingConfig({});
    expect(config.SERVICE_NAME).toBe('signaling');
    expect(config.HTTP_PORT).toBe(8080);
    expect(config.HTTP_HOST).toBe('127.0.0.1');
  });

  it('names the bad variable', () => {
    expect(() => loadSignalingConfig({ HTTP_PORT: 'abc' })).toThrow(ConfigurationError);
    expect(() => loadSignalingConfig({ HTTP_PORT: 'abc' })).toThrow(/HTTP_PORT/);
  });
});
