import { describe, expect, it } from 'vitest';
import { CallEndReason } from '@ringbus/proto';
import { endReasonForAnsweredCall, endReasonForUnansweredCall } from '../src/domain/sip-end-reason.js';

describe('SIP final response -> why the call ended', () => {
  it.each([
    [486, CallEndReason.BUSY],
    [600, CallEndReason.BUSY],
    [487, CallEndReason.CANCELLED],
    [480, CallEndReason.NO_ANSWER],
    [408, CallEndReason.NO_ANSWER],
    [603, CallEndReason.REJECTED],
    [403, CallEndReason.REJECTED],
    [404, CallEndReason.FAILED],
    [484, CallEndReason.FAILED],
    [488, CallEndReason.FAILED],
    [500, CallEndReason.FAILED],
    [503, CallEndReason.FAILED],
    [302, CallEndReason.FAILED],
    [0, CallEndReason.FAILED],
  ])('an unanswered call ended by %i is %s', (code, reason) => {
    expect(endReasonForUnansweredCall(code)).toBe(reason);
  });

  it('an answered call ended by a BYE (reported as 200) is a normal hang-up; anything else failed', () => {
    expect(endReasonForAnsweredCall(200)).toBe(CallEndReason.NORMAL);
    expect(endReasonForAnsweredCall(408)).toBe(CallEndReason.FAILED);
    expect(endReasonForAnsweredCall(0)).toBe(CallEndReason.FAILED);
  });
});
