import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@ringbus/service-kit';
import { loadMediaOrchestrationConfig } from '../src/config.js';

describe('media-orchestration configuration', () => {
  it('defaults to its own name and port 8081', () => {
    const config = loadMediaOrchestrationConfig({});
    expect(config.SERVICE_NAME).toBe('media-orchestration');
    expect(config.HTTP_PORT).toBe(8081);
    expect(config.HTTP_HOST).toBe('127.0.0.1');
  });

  it('names the bad variable', () => {
    expect(() => loadMediaOrchestrationConfig({ HTTP_PORT: 'abc' })).toThrow(ConfigurationError);
    expect(() => loadMediaOrchestrationConfig({ HTTP_PORT: 'abc' })).toThrow(/HTTP_PORT/);
  });
});
