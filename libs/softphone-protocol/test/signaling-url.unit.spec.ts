import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closeCodeName, CloseCode, parseSignalingTarget, signalingUrl } from '../src/index.js';

describe('signaling URL', () => {
  it('builds the plain and the tenant URL as the Flutter app does', () => {
    expect(signalingUrl('ws://127.0.0.1:8080', { token: 'abc' })).toBe(
      'ws://127.0.0.1:8080/signaling/v1?token=abc&force=false',
    );
    expect(signalingUrl('https://core.example.com/', { token: 'abc', force: true, tenant: 'acme' })).toBe(
      'wss://core.example.com/tenant/acme/signaling/v1?token=abc&force=true',
    );
    // a base that already names a tenant has it replaced
    expect(signalingUrl('http://h/api/tenant/old', { token: 't', tenant: 'new' })).toBe(
      'ws://h/api/tenant/new/signaling/v1?token=t&force=false',
    );
  });

  it('reads token, force and tenant back from what it built, for any token and tenant', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.boolean(),
        fc.option(fc.string({ minLength: 1 }).filter((tenant) => tenant !== '.' && tenant !== '..')),
        (token, force, tenant) => {
          const url = new URL(
            signalingUrl('ws://127.0.0.1:1', { token, force, tenant: tenant ?? undefined }),
          );
          expect(parseSignalingTarget(`${url.pathname}${url.search}`)).toEqual({
            tenantId: tenant,
            token,
            force,
          });
        },
      ),
    );
  });

  it('refuses a tenant id that a URL path would swallow', () => {
    expect(() => signalingUrl('ws://h', { token: 't', tenant: '.' })).toThrow(RangeError);
    expect(() => signalingUrl('ws://h', { token: 't', tenant: '..' })).toThrow(RangeError);
  });

  it('reads the raw forms the public clients send', () => {
    expect(parseSignalingTarget('/signaling/v1?token=a+b/c=&force=true')).toEqual({
      tenantId: null,
      token: 'a+b/c=',
      force: true,
    });
    expect(parseSignalingTarget('/tenant/acme/signaling/v1/?force=TRUE&token=x&token=y')).toEqual({
      tenantId: 'acme',
      token: 'x',
      force: false,
    });
    expect(parseSignalingTarget('/signaling/v1')).toEqual({ tenantId: null, token: null, force: false });
  });

  it('is not a signaling target elsewhere', () => {
    for (const target of [
      '/',
      '/signaling/v2',
      '/api/v1/signaling/v1',
      '/tenant//signaling/v1',
      '/tenant/%E0/signaling/v1',
    ]) {
      expect(parseSignalingTarget(target)).toBeUndefined();
    }
  });

  it('names close codes', () => {
    expect(closeCodeName(CloseCode.evictedByForce)).toBe('evictedByForce');
    expect(closeCodeName(4502)).toBe('keepaliveTimeout');
    expect(closeCodeName(1006)).toBeUndefined();
  });
});
