import { create } from '@bufbuild/protobuf';
import { MediaCallReplySchema, type MediaCallReply, type MediaCallRequest } from '@ringbus/proto';
import {
  JANUS_SIP_ERROR,
  refused,
  type LegRequest,
  type LegRequestOutcome,
} from '../../domain/leg-request.js';

/** A MediaCallRequest in the service's terms, or the refusal a malformed one gets. */
export function legRequestFrom(request: MediaCallRequest): LegRequest | LegRequestOutcome {
  const r = request.request;
  switch (r.case) {
    case 'hangUp':
      return { kind: 'hang-up' };
    case 'hold':
      return { kind: 'hold', mediaDirection: r.value.mediaDirection };
    case 'unhold':
      return { kind: 'unhold' };
    case 'sendDtmf':
      return { kind: 'dtmf', digits: r.value.digits, durationMs: r.value.durationMs };
    case 'renegotiate':
      return { kind: 'renegotiate', sdpOffer: r.value.sdpOffer };
    case 'trickle':
      return trickleFrom(r.value.candidateJson);
    case 'accept':
      return { kind: 'accept', sdpAnswer: r.value.sdpAnswer };
    case 'decline':
      return { kind: 'decline', sipCode: r.value.sipCode };
    case undefined:
      return refused(JANUS_SIP_ERROR.invalidElement, 'Invalid element (the request names no action)');
  }
}

export function mediaCallReplyFor(outcome: LegRequestOutcome): MediaCallReply {
  return create(MediaCallReplySchema, {
    outcome:
      outcome.kind === 'done'
        ? { case: 'done', value: {} }
        : { case: 'refused', value: { code: outcome.code, reason: outcome.reason } },
  });
}

function trickleFrom(candidateJson: string): LegRequest | LegRequestOutcome {
  if (candidateJson === '') return { kind: 'trickle', candidate: undefined };
  let candidate: unknown;
  try {
    candidate = JSON.parse(candidateJson);
  } catch {
    return refused(JANUS_SIP_ERROR.invalidElement, 'Invalid element (candidate is not JSON)');
  }
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
    return refused(JANUS_SIP_ERROR.invalidElement, 'Invalid element (candidate is not an object)');
  }
  return { kind: 'trickle', candidate: candidate as Readonly<Record<string, unknown>> };
}
