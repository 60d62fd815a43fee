import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@ringbus/service-kit';
import { loadPushConfig } from '../src/config.js';

describe('push configuration', () => {
  it('defaults to its own name and port 8083, the real provider endpoints and no provider credentials', () => {
    const config = loadPushConfig({});
    expect(config.SERVICE_NAME).toBe('push');
    expect(config.HTTP_PORT).toBe(8083);
    expect(config.HTTP_HOST).toBe('127.0.0.1');
    expect(config.FCM_BASE_URL).toBe('https://fcm.googleapis.com');
    expect(config.APNS_ORIGIN).toBe('https://api.push.apple.com');
    expect(config.EVENTS_DURABLE_NAME).toBe('push-incoming-calls');
    expect(config.PUSH_MAX_ATTEMPTS).toBe(4);
    expect(config.FCM_SERVICE_ACCOUNT_JSON).toBeUndefined();
  });

  it('names the bad variable', () => {
    expect(() => loadPushConfig({ HTTP_PORT: 'abc' })).toThrow(ConfigurationError);
    expect(() => loadPushConfig({ HTTP_PORT: 'abc' })).toThrow(/HTTP_PORT/);
    expect(() => loadPushConfig({ FCM_BASE_URL: 'http://fcm.example.com' })).toThrow(/FCM_BASE_URL/);
    expect(() => loadPushConfig({ PUSH_MAX_ATTEMPTS: '0' })).toThrow(/PUSH_MAX_ATTEMPTS/);
  });

  it('wants the key id, team id and bundle id with an APNs key, and one source per secret', () => {
    const error = (() => {
      try {
        loadPushConfig({
          APNS_KEY: 'secret-pem-text',
          FCM_SERVICE_ACCOUNT_FILE: '/a',
          FCM_SERVICE_ACCOUNT_JSON: '{}',
        });
      } catch (caught) {
        return caught as ConfigurationError;
      }
      throw new Error('accepted');
    })();
    expect(error.variables).toEqual(
      expect.arrayContaining(['APNS_KEY_ID', 'APNS_TEAM_ID', 'APNS_BUNDLE_ID', 'FCM_SERVICE_ACCOUNT_JSON']),
    );
    // The secret never appears in the message.
    expect(error.message).not.toContain('secret-pem-text');
  });
});
