import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import {
  HoldMediaDirection,
  MediaCallMessageError,
  MediaCallReplySchema,
  MediaCallRequestSchema,
  mediaCallReplyFromJson,
  mediaCallReplyToJson,
  mediaCallRequestFromJson,
  mediaCallRequestToJson,
  mediaCallSubject,
} from '../src/index.js';

const callId = '0192f1c2-7a3b-7c4d-8e5f-0123456789ab';

describe('media call requests and replies', () => {
  it('names one subject per call', () => {
    expect(mediaCallSubject(callId)).toBe(`ringbus.media.calls.${callId}`);
  });

  it.each(['', 'a.b', '*', '>', 'a b', 'x'.repeat(129)])(
    'refuses %j as a call id: it would widen or break the subject',
    (bad) => {
      expect(() => mediaCallSubject(bad)).toThrow(MediaCallMessageError);
    },
  );

  it('round-trips a request through JSON text', () => {
    const request = create(MediaCallRequestSchema, {
      requestId: 'r-1',
      callId,
      request: { case: 'hold', value: { mediaDirection: HoldMediaDirection.INACTIVE } },
    });
    const wire = JSON.parse(JSON.stringify(mediaCallRequestToJson(request))) as unknown;
    expect(mediaCallRequestFromJson(wire)).toEqual(request);
  });

  it('round-trips a refusal', () => {
    const reply = create(MediaCallReplySchema, {
      outcome: { case: 'refused', value: { code: 447, reason: 'Wrong state (not in a call?)' } },
    });
    expect(mediaCallReplyFromJson(JSON.parse(JSON.stringify(mediaCallReplyToJson(reply))))).toEqual(reply);
  });

  it.each([null, 'hold', [1], { hold: 'yes' }, { requestId: 7 }])(
    'turns %j into a typed error, not a crash',
    (bad) => {
      const error = (() => {
        try {
          mediaCallRequestFromJson(bad);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(MediaCallMessageError);
      expect((error as MediaCallMessageError).code).toBe('MEDIA_CALL_MESSAGE_INVALID');
    },
  );
});
