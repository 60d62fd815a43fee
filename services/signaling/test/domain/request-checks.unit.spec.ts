import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameRateLimit } from '../../src/domain/frame-rate-limit.js';
import { chooseIncomingLine } from '../../src/domain/line-assignment.js';
import { outgoingCallRefusal, sdpProblem } from '../../src/domain/outgoing-call-checks.js';
import { maskNumber } from '../../src/domain/phone-number-mask.js';
import { RefusalCode } from '../../src/domain/request-refusal.js';
import { traceparentOf } from '../../src/domain/traceparent.js';
import { OFFER_SDP } from './call-events.js';

describe('outgoing_call checks', () => {
  const offer = { type: 'offer' as const, sdp: OFFER_SDP };

  it('accepts an SDP offer on an existing line', () => {
    expect(outgoingCallRefusal({ line: 1, jsep: offer }, 2)).toBeUndefined();
  });

  it('refuses the guest line and lines the user does not have (444)', () => {
    expect(outgoingCallRefusal({ line: null, jsep: offer }, 2)?.code).toBe(RefusalCode.noSuchLine);
    expect(outgoingCallRefusal({ line: 2, jsep: offer }, 2)).toEqual({
      code: 444,
      reason: 'Invalid element (line: no line 2; lines 0-1 exist)',
    });
  });

  it('refuses an answer, or text that is not SDP, as invalid SDP (465)', () => {
    expect(outgoingCallRefusal({ line: 0, jsep: { type: 'answer', sdp: OFFER_SDP } }, 1)?.code).toBe(465);
    expect(outgoingCallRefusal({ line: 0, jsep: { type: 'offer', sdp: 'hello' } }, 1)?.code).toBe(465);
    expect(sdpProblem('v=0\r\ns=-\r\n')).toMatch(/o= line/);
    expect(sdpProblem('v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n')).toMatch(/m= line/);
  });
});

describe('frame rate limit (token bucket)', () => {
  it('admits a burst, refuses beyond it, refills with time, and closes a socket that keeps flooding', () => {
    const limit = new FrameRateLimit({ ratePerSecond: 10, burst: 3, closeAfter: 4 });
    expect([0, 0, 0].map(() => limit.admit(0))).toEqual(['admit', 'admit', 'admit']);
    expect(limit.admit(0)).toBe('refuse');
    expect(limit.admit(100)).toBe('admit'); // 100 ms at 10/s is one token
    expect([100, 100, 100, 100].map((ms) => limit.admit(ms))).toEqual([
      'refuse',
      'refuse',
      'refuse',
      'close',
    ]);
  });

  it('never admits more than burst + rate × elapsed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 300 }), (gaps) => {
        const limit = new FrameRateLimit({
          ratePerSecond: 20,
          burst: 5,
          closeAfter: Number.MAX_SAFE_INTEGER,
        });
        let now = 0;
        let admitted = 0;
        for (const gap of gaps) {
          now += gap;
          if (limit.admit(now) === 'admit') admitted += 1;
        }
        return admitted <= 5 + (now / 1000) * 20 + 1e-9;
      }),
    );
  });
});

describe('incoming line choice', () => {
  it('takes the offered line when free, else the first free one, else none', () => {
    expect(chooseIncomingLine(1, 2, new Set())).toBe(1);
    expect(chooseIncomingLine(1, 2, new Set([1]))).toBe(0);
    expect(chooseIncomingLine(undefined, 3, new Set([0]))).toBe(1);
    expect(chooseIncomingLine(undefined, 2, new Set([0, 1]))).toBeNull();
    expect(chooseIncomingLine(5, 2, new Set())).toBe(0);
  });
});

describe('log hygiene and tracing', () => {
  it('masks phone numbers so logs cannot identify a subscriber', () => {
    expect(maskNumber('+15551234567')).toBe('+15*******67');
    expect(maskNumber('1234')).toBe('****');
    fc.assert(
      fc.property(fc.string({ minLength: 9, maxLength: 30 }), (number) => {
        const masked = maskNumber(number);
        return masked.length === number.length && masked.slice(3, -2) === '*'.repeat(number.length - 5);
      }),
    );
  });

  it('takes a well-formed W3C traceparent from a request and ignores anything else', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(traceparentOf({ request: 'hangup', traceparent })).toBe(traceparent);
    expect(traceparentOf({ traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01' })).toBe(
      '',
    );
    expect(traceparentOf({ traceparent: 42 })).toBe('');
    expect(traceparentOf(null)).toBe('');
  });
});
