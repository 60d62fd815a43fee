import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CallIdError,
  callIdOfStream,
  callStreamId,
  isCallId,
  isSipCallIdOf,
  sipCallIdFor,
} from '../src/index.js';
import { CALL_ID, OTHER_CALL_ID } from './call-commands.js';

describe('call stream ids', () => {
  it('names a call stream call-<callId> and reads the call id back', () => {
    expect(callStreamId(CALL_ID)).toBe(`call-${CALL_ID}`);
    expect(callIdOfStream(`call-${CALL_ID}`)).toBe(CALL_ID);
    expect(callIdOfStream(`user-${CALL_ID}`)).toBeUndefined();
    expect(callIdOfStream('call-not-a-uuid')).toBeUndefined();
  });

  it('refuses a call id that is not a lowercase UUIDv7', () => {
    expect(() => callStreamId('0192f1c2-7a3b-4c4d-8e5f-0123456789ab')).toThrow(CallIdError);
    expect(() => callStreamId(CALL_ID.toUpperCase())).toThrow(
      expect.objectContaining({ code: 'INVALID_CALL_ID' }),
    );
  });
});

describe('sipCallIdFor', () => {
  it('derives the same SIP Call-ID from the same call id, with or without a domain', () => {
    expect(sipCallIdFor(CALL_ID)).toBe(`rb-${CALL_ID}`);
    expect(sipCallIdFor(CALL_ID, 'sip.ringbus.example')).toBe(`rb-${CALL_ID}@sip.ringbus.example`);
    expect(sipCallIdFor(CALL_ID, 'sip.ringbus.example')).toBe(sipCallIdFor(CALL_ID, 'sip.ringbus.example'));
  });

  it('gives distinct call ids distinct SIP Call-IDs, each recognised as its own', () => {
    fc.assert(
      fc.property(fc.uuid({ version: 7 }), fc.uuid({ version: 7 }), (a, b) => {
        fc.pre(a !== b);
        expect(isCallId(a)).toBe(true);
        expect(sipCallIdFor(a, 'gw.example')).not.toBe(sipCallIdFor(b, 'gw.example'));
        expect(isSipCallIdOf(sipCallIdFor(a, 'gw.example'), a)).toBe(true);
        expect(isSipCallIdOf(sipCallIdFor(a), b)).toBe(false);
      }),
    );
  });

  it('refuses a domain that would break the Call-ID header', () => {
    for (const domain of ['', 'a b', 'x@y', 'host;tag=1', '-host']) {
      expect(() => sipCallIdFor(CALL_ID, domain)).toThrow(
        expect.objectContaining({ code: 'INVALID_SIP_DOMAIN' }),
      );
    }
  });

  it('recognises only Call-IDs derived from the given call id', () => {
    expect(isSipCallIdOf(sipCallIdFor(CALL_ID, 'a.example'), CALL_ID)).toBe(true);
    expect(isSipCallIdOf(sipCallIdFor(OTHER_CALL_ID), CALL_ID)).toBe(false);
    expect(isSipCallIdOf(CALL_ID, CALL_ID)).toBe(false);
    expect(isSipCallIdOf(`rb-${CALL_ID}@bad host`, CALL_ID)).toBe(false);
  });
});
