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

  it('defaults the protocol limits to what docs/protocol.md promises', () => {
    const config = loadSignalingConfig({});
    expect(config).toMatchObject({
      KEEPALIVE_INTERVAL_MS: 30_000,
      KEEPALIVE_GRACE_MS: 10_000,
      MAX_FRAME_BYTES: 256 * 1024,
      RATE_LIMIT_PER_SECOND: 20,
      RATE_LIMIT_BURST: 60,
      RATE_LIMIT_CLOSE_AFTER: 200,
      EVENTS_STREAM_NAME: 'RINGBUS_EVENTS',
      EVENTS_SUBJECT_PREFIX: 'ringbus.events',
      EVENTS_DURABLE_NAME: 'signaling-live-calls',
      SIGNALING_SUBJECT_PREFIX: 'ringbus.signaling',
    });
  });

  it('defaults the REST API to the documented limits (docs/api.md)', () => {
    expect(loadSignalingConfig({})).toMatchObject({
      DEFAULT_TENANT: 'default',
      SESSION_TTL_HOURS: 720,
      SIGNIN_MAX_FAILURES: 5,
      SIGNIN_FAILURE_WINDOW_SECONDS: 900,
      SIGNIN_LOCKOUT_SECONDS: 900,
      PASSWORD_SCRYPT_LOG_N: 15,
      API_RATE_LIMIT_PER_SECOND: 20,
      API_RATE_LIMIT_BURST: 40,
      SIGNIN_RATE_LIMIT_PER_MINUTE: 10,
      SIGNIN_RATE_LIMIT_BURST: 10,
      API_MAX_BODY_BYTES: 16 * 1024,
      PUSH_COMMAND_SUBJECT_PREFIX: 'ringbus.push',
    });
    expect(() => loadSignalingConfig({ DEFAULT_TENANT: 'a b' })).toThrow(/DEFAULT_TENANT/);
    expect(() => loadSignalingConfig({ SIGNIN_MAX_FAILURES: '0' })).toThrow(/SIGNIN_MAX_FAILURES/);
  });

  it('names the bad variable', () => {
    expect(() => loadSignalingConfig({ HTTP_PORT: 'abc' })).toThrow(ConfigurationError);
    expect(() => loadSignalingConfig({ HTTP_PORT: 'abc' })).toThrow(/HTTP_PORT/);
    expect(() => loadSignalingConfig({ KEEPALIVE_INTERVAL_MS: '10' })).toThrow(/KEEPALIVE_INTERVAL_MS/);
    expect(() => loadSignalingConfig({ SIGNALING_SUBJECT_PREFIX: 'a.*' })).toThrow(
      /SIGNALING_SUBJECT_PREFIX/,
    );
    expect(() => loadSignalingConfig({ EVENTS_DURABLE_NAME: 'has space' })).toThrow(/EVENTS_DURABLE_NAME/);
  });
});
