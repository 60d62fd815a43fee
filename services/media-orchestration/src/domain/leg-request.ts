import { type HoldMediaDirection } from '@ringbus/proto';

/** What signaling may ask of a call's Janus SIP leg (a MediaCallRequest, in the service's own terms). */
export type LegRequest =
  | { readonly kind: 'hang-up' }
  | { readonly kind: 'hold'; readonly mediaDirection: HoldMediaDirection }
  | { readonly kind: 'unhold' }
  | { readonly kind: 'dtmf'; readonly digits: string; readonly durationMs: number }
  | { readonly kind: 'renegotiate'; readonly sdpOffer: string }
  /** `candidate` undefined: trickling is complete. */
  | { readonly kind: 'trickle'; readonly candidate: Readonly<Record<string, unknown>> | undefined }
  | { readonly kind: 'accept'; readonly sdpAnswer: string }
  | { readonly kind: 'decline'; readonly sipCode: number };

/** `refused.code` is what the softphone gets: a Janus SIP plugin or core error code, or a SIP code. */
export type LegRequestOutcome =
  { readonly kind: 'done' } | { readonly kind: 'refused'; readonly code: number; readonly reason: string };

export const DONE: LegRequestOutcome = Object.freeze({ kind: 'done' });

// Janus's own codes, so a refusal reads the same whether Janus or we found the problem.
export const JANUS_SIP_ERROR = {
  invalidElement: 444,
  wrongState: 447,
  missingSdp: 448,
  unknownError: 499,
} as const;

export function refused(code: number, reason: string): LegRequestOutcome {
  return { kind: 'refused', code, reason };
}

const DTMF_DIGITS = /^[0-9A-D*#]{1,64}$/i;
const SIP_FINAL_FAILURE = (code: number): boolean => code >= 400 && code <= 699;

/** What is wrong with a request on its own, whatever the call's state; undefined when nothing is. */
export function legRequestProblem(request: LegRequest): LegRequestOutcome | undefined {
  switch (request.kind) {
    case 'dtmf':
      if (!DTMF_DIGITS.test(request.digits)) {
        return refused(JANUS_SIP_ERROR.invalidElement, 'Invalid element (digits: 1-64 of 0-9, *, #, A-D)');
      }
      if (request.durationMs !== 0 && (request.durationMs < 40 || request.durationMs > 5_000)) {
        return refused(JANUS_SIP_ERROR.invalidElement, 'Invalid element (duration: 40-5000 ms)');
      }
      return undefined;
    case 'renegotiate':
      return request.sdpOffer === ''
        ? refused(JANUS_SIP_ERROR.missingSdp, 'Missing SDP (update needs an offer)')
        : undefined;
    case 'accept':
      return request.sdpAnswer === ''
        ? refused(JANUS_SIP_ERROR.missingSdp, 'Missing SDP (accept needs an answer)')
        : undefined;
    case 'decline':
      return request.sipCode === 0 || SIP_FINAL_FAILURE(request.sipCode)
        ? undefined
        : refused(JANUS_SIP_ERROR.invalidElement, 'Invalid element (code: a SIP failure code, 400-699)');
    case 'hang-up':
    case 'hold':
    case 'unhold':
    case 'trickle':
      return undefined;
  }
}
