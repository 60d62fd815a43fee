import { describe, expect, it } from 'vitest';
import {
  decodeCommandPayload,
  decodeCommandReply,
  encodeCommandPayload,
  encodeCommandReply,
  InvalidCommandReplyError,
} from '../src/index.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('command envelope', () => {
  it('round-trips a result and a rejection', () => {
    expect(decodeCommandReply('cmd.x', encodeCommandReply({ ok: true, result: { callId: 'c1' } }))).toEqual({
      ok: true,
      result: { callId: 'c1' },
    });
    const rejection = { code: 'CALL_NOT_FOUND', message: 'no call c1', retryable: false };
    expect(decodeCommandReply('cmd.x', encodeCommandReply({ ok: false, error: rejection }))).toEqual({
      ok: false,
      error: rejection,
    });
  });

  it('carries an undefined payload as an empty body', () => {
    expect(encodeCommandPayload(undefined)).toHaveLength(0);
    expect(decodeCommandPayload(new Uint8Array(0))).toBeUndefined();
    expect(decodeCommandPayload(encodeCommandPayload({ a: 1 }))).toEqual({ a: 1 });
  });

  it.each([
    ['not JSON', 'nope'],
    ['not an object', '42'],
    ['no ok flag', '{"result":1}'],
    ['a failure without code', '{"ok":false,"error":{"message":"m"}}'],
  ])('refuses a reply that is %s', (_, body) => {
    expect(() => decodeCommandReply('cmd.x', bytes(body))).toThrow(InvalidCommandReplyError);
  });

  it('reads a missing retryable flag as not retryable', () => {
    const reply = decodeCommandReply('cmd.x', bytes('{"ok":false,"error":{"code":"C","message":"m"}}'));
    expect(reply).toEqual({ ok: false, error: { code: 'C', message: 'm', retryable: false } });
  });
});
