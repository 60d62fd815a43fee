import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@ringbus/service-kit';
import { loadMediaOrchestrationConfig } from '../src/config.js';

const problemsOf = (env: Record<string, string>): Record<string, string> => {
  try {
    loadMediaOrchestrationConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    return Object.fromEntries(error.problems.map((p) => [p.variable, p.problem]));
  }
  return {};
};

describe('media-orchestration configuration', () => {
  it('defaults to its own name and port 8081, one local Janus, and guest lines', () => {
    const config = loadMediaOrchestrationConfig({});
    expect(config.SERVICE_NAME).toBe('media-orchestration');
    expect(config.HTTP_PORT).toBe(8081);
    expect(config.HTTP_HOST).toBe('127.0.0.1');
    expect(config.JANUS_GATEWAYS).toEqual([
      { id: 'janus-1', region: 'local', wsUrl: 'ws://127.0.0.1:8188', capacity: 100 },
    ]);
    expect(config.DEFAULT_REGION).toBe('local');
    expect(config.SIP_OUTBOUND_URI).toBe('sip:{number}@127.0.0.1:5060');
    expect(config.SIP_ACCOUNTS).toEqual({});
    expect(config.EVENTS_DURABLE_NAME).toBe('media-orchestration');
    expect(config.INSTANCE_ID).toMatch(/^[A-Za-z0-9._-]+$/);
  });

  it('reads the gateway pool and SIP accounts from JSON', () => {
    const config = loadMediaOrchestrationConfig({
      JANUS_GATEWAYS: JSON.stringify([
        { id: 'eu-1', region: 'eu', wsUrl: 'wss://janus-eu-1.example/ws', capacity: 200, apiSecret: 's3' },
        { id: 'us-1', region: 'us', wsUrl: 'ws://10.0.0.5:8188', capacity: 50 },
      ]),
      SIP_ACCOUNTS: JSON.stringify({ 'user-1': { identity: 'sip:+15550001@trunk.example', secret: 'pw' } }),
    });
    expect(config.JANUS_GATEWAYS.map((g) => g.id)).toEqual(['eu-1', 'us-1']);
    expect(config.SIP_ACCOUNTS['user-1']?.identity).toBe('sip:+15550001@trunk.example');
  });

  it('names the bad variable, down to the gateway field', () => {
    expect(() => loadMediaOrchestrationConfig({ HTTP_PORT: 'abc' })).toThrow(/HTTP_PORT/);
    expect(problemsOf({ JANUS_GATEWAYS: '[{"id":"a"' })).toMatchObject({
      JANUS_GATEWAYS: expect.stringMatching(/must be JSON/),
    });
    expect(
      problemsOf({ JANUS_GATEWAYS: '[{"id":"a","region":"eu","wsUrl":"http://x","capacity":0}]' }),
    ).toEqual({
      'JANUS_GATEWAYS.0.wsUrl': 'must be a ws:// or wss:// URL',
      'JANUS_GATEWAYS.0.capacity': 'must be at least 1',
    });
    const twice = '{"id":"a","region":"eu","wsUrl":"ws://x:1","capacity":1}';
    expect(problemsOf({ JANUS_GATEWAYS: `[${twice},${twice}]` })).toEqual({
      JANUS_GATEWAYS: 'gateway ids must be unique',
    });
    expect(problemsOf({ SIP_OUTBOUND_URI: 'sip:trunk.example' })).toEqual({
      SIP_OUTBOUND_URI: 'must hold {number} exactly once',
    });
    expect(problemsOf({ SIP_ACCOUNTS: '{"u":{"identity":"alice"}}' })).toEqual({
      'SIP_ACCOUNTS.u.identity': 'must be a SIP URI like sip:user@host',
    });
    expect(problemsOf({ JANUS_RECONNECT_INITIAL_MS: '5000', JANUS_RECONNECT_MAX_MS: '1000' })).toEqual({
      JANUS_RECONNECT_MAX_MS: 'must not be below JANUS_RECONNECT_INITIAL_MS (5000)',
    });
  });
});
