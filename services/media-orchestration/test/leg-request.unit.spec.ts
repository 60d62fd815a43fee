import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { HoldMediaDirection, MediaCallRequestSchema, type MediaCallRequest } from '@ringbus/proto';
import { legRequestFrom, mediaCallReplyFor } from '../src/adapters/nats/leg-request-wire.js';
import { legRequestProblem, type LegRequest } from '../src/domain/leg-request.js';

const callId = '0192f1c2-7a3b-7c4d-8e5f-0123456789ab';
const requestOf = (request: MessageInitShape<typeof MediaCallRequestSchema>['request']): MediaCallRequest =>
  create(MediaCallRequestSchema, { requestId: 'r', callId, request });

describe('media call requests in the service terms', () => {
  it('maps each request', () => {
    expect(
      legRequestFrom(requestOf({ case: 'hold', value: { mediaDirection: HoldMediaDirection.INACTIVE } })),
    ).toEqual({ kind: 'hold', mediaDirection: HoldMediaDirection.INACTIVE });
    expect(legRequestFrom(requestOf({ case: 'trickle', value: { candidateJson: '' } }))).toEqual({
      kind: 'trickle',
      candidate: undefined,
    });
    expect(
      legRequestFrom(
        requestOf({
          case: 'trickle',
          value: { candidateJson: '{"candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host"}' },
        }),
      ),
    ).toEqual({ kind: 'trickle', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } });
  });

  it.each(['not json', '[1]', '7', 'null'])(
    'refuses the candidate %j with 444, not a crash',
    (candidateJson) => {
      expect(legRequestFrom(requestOf({ case: 'trickle', value: { candidateJson } }))).toMatchObject({
        kind: 'refused',
        code: 444,
      });
    },
  );

  it('refuses a request that names no action', () => {
    expect(legRequestFrom(requestOf({ case: undefined }))).toMatchObject({ kind: 'refused', code: 444 });
  });

  it('turns outcomes into replies', () => {
    expect(mediaCallReplyFor({ kind: 'done' }).outcome.case).toBe('done');
    expect(mediaCallReplyFor({ kind: 'refused', code: 447, reason: 'Wrong state' }).outcome).toEqual({
      case: 'refused',
      value: expect.objectContaining({ code: 447, reason: 'Wrong state' }),
    });
  });
});

describe('requests wrong on their own', () => {
  const cases: [LegRequest, number | undefined][] = [
    [{ kind: 'dtmf', digits: '12#*AbD', durationMs: 0 }, undefined],
    [{ kind: 'dtmf', digits: '', durationMs: 0 }, 444],
    [{ kind: 'dtmf', digits: '1x', durationMs: 0 }, 444],
    [{ kind: 'dtmf', digits: '1', durationMs: 10 }, 444],
    [{ kind: 'dtmf', digits: '1', durationMs: 6_000 }, 444],
    [{ kind: 'renegotiate', sdpOffer: '' }, 448],
    [{ kind: 'accept', sdpAnswer: '' }, 448],
    [{ kind: 'decline', sipCode: 200 }, 444],
    [{ kind: 'decline', sipCode: 486 }, undefined],
    [{ kind: 'decline', sipCode: 0 }, undefined],
  ];
  it.each(cases)('%j -> %s', (request, code) => {
    expect(legRequestProblem(request)?.kind === 'refused' ? legRequestProblem(request) : undefined).toEqual(
      code === undefined ? undefined : expect.objectContaining({ code }),
    );
  });
});
