import { CallEndReason, CallParty, type HoldMediaDirection } from '@ringbus/proto';
import { endReasonForAnsweredCall, endReasonForUnansweredCall } from './sip-end-reason.js';
import { type SipLegEvent } from './sip-leg-event.js';

/** How a call ended, as the Hangup command records it. */
export interface CallEnding {
  readonly reason: CallEndReason;
  readonly hungUpBy: CallParty;
  /** The final SIP response, or 200 for a BYE; 0 when no SIP message ended the call. */
  readonly sipCode: number;
  /** From the Reason header, 0 when there was none. */
  readonly q850Cause: number;
  /** For people: the SIP reason phrase or what the system saw. */
  readonly reasonText: string;
}

/** What Janus's `incomingcall` told us about an incoming call, and whose account it reached. */
export interface IncomingOffer {
  readonly userId: string;
  /** The caller's number or SIP URI as the carrier sent it; empty when anonymous. */
  readonly caller: string;
  readonly callerDisplayName: string;
  readonly callee: string;
  readonly sdpOffer: string;
  readonly carrierSipCallId: string;
}

/** A fact about the call to record through the call command handler. */
export type CallUpdate =
  | { readonly kind: 'offered'; readonly offer: IncomingOffer }
  | { readonly kind: 'invite-sent' }
  | { readonly kind: 'ringing'; readonly sipCode: number }
  | { readonly kind: 'early-media'; readonly sdp: string; readonly sipCode: number }
  | { readonly kind: 'answered'; readonly sdp: string }
  | { readonly kind: 'held'; readonly mediaDirection: HoldMediaDirection }
  | { readonly kind: 'resumed' }
  | { readonly kind: 'dtmf-sent'; readonly digits: string }
  | { readonly kind: 'renegotiated'; readonly sdpOffer: string; readonly sdpAnswer: string }
  | { readonly kind: 'ended'; readonly ending: CallEnding };

export type SipLegStage =
  'placing' | 'invite-sent' | 'ringing' | 'early-media' | 'offered' | 'answered' | 'ended';

/** What the translation remembers about one SIP leg between Janus events. */
export interface SipLegState {
  /** Outgoing: we sent the INVITE (our user is the caller); incoming: the carrier did (our user is the callee). */
  readonly direction: 'outgoing' | 'incoming';
  readonly stage: SipLegStage;
  /** The SDP of the early dialog (183), which is also the answer when the 200 OK brings no new one. */
  readonly earlySdp: string | undefined;
  /** We asked Janus to hang up (the call ended elsewhere, e.g. our user hung up). */
  readonly hangupRequested: boolean;
  /** The softphone's offer of a renegotiation (`update`) whose answer Janus has not brought yet. */
  readonly renegotiationOffer: string | undefined;
  /** Incoming: the softphone's answer, sent with our `accept`; Janus's `accepted` confirms it. */
  readonly acceptedAnswer: string | undefined;
  /** Incoming: the SIP code we declined the call with. */
  readonly declinedWith: number | undefined;
}

export const initialSipLegState: SipLegState = Object.freeze({
  direction: 'outgoing',
  stage: 'placing',
  earlySdp: undefined,
  hangupRequested: false,
  renegotiationOffer: undefined,
  acceptedAnswer: undefined,
  declinedWith: undefined,
});

/** An incoming call's leg, from Janus's `incomingcall`. */
export const offeredSipLegState: SipLegState = Object.freeze({
  ...initialSipLegState,
  direction: 'incoming',
  stage: 'offered',
});

/** We sent Janus `accept` with the softphone's answer; its `accepted` then answers the call. */
export function acceptSipLeg(state: SipLegState, sdpAnswer: string): SipLegState {
  return state.stage === 'offered' ? { ...state, acceptedAnswer: sdpAnswer } : state;
}

/** We sent Janus `decline` with `sipCode`; its `hangup` then ends the call as declined by our user. */
export function declineSipLeg(state: SipLegState, sipCode: number): SipLegState {
  return state.stage === 'offered' ? { ...state, declinedWith: sipCode } : state;
}

export interface SipLegStep {
  readonly state: SipLegState;
  /** What to record, if this event changed anything worth recording. */
  readonly update: CallUpdate | undefined;
}

// What the Janus core says when the SIP plugin itself closes the PeerConnection as part of a SIP hang-up;
// any other reason (ICE failed, DTLS alert, ...) means the media path broke.
const PLUGIN_CLOSED_PEER_CONNECTION = 'close pc';
const RINGING_CODES = new Set([180, 181, 182]);
const EARLY_MEDIA_CODE = 183;

/**
 * Janus SIP plugin event -> the call update to record (docs/media-orchestration.md has the table). Pure:
 * the same state and event always give the same step. After the leg ended, nothing is recorded any more:
 * Janus keeps talking (core hang-up, `hangingup`, a late `hangup`) and the first ending is the truth.
 */
export function translateSipLegEvent(state: SipLegState, event: SipLegEvent): SipLegStep {
  if (state.stage === 'ended') return unchanged(state);
  switch (event.kind) {
    case 'plugin':
      return translatePluginEvent(state, event);
    case 'plugin-error':
      // An error answers a request; only the `call` request's error ends the call (nothing was sent).
      if (state.stage !== 'placing') return unchanged(state);
      return ended(state, {
        reason: CallEndReason.FAILED,
        hungUpBy: CallParty.SYSTEM,
        sipCode: 0,
        q850Cause: 0,
        reasonText: `Janus refused the call (error ${event.errorCode}: ${event.error})`,
      });
    case 'media-closed':
      if (state.hangupRequested || event.reason.toLowerCase() === PLUGIN_CLOSED_PEER_CONNECTION) {
        return unchanged(state);
      }
      return ended(state, {
        reason: CallEndReason.MEDIA_FAILED,
        hungUpBy: CallParty.SYSTEM,
        sipCode: 0,
        q850Cause: 0,
        reasonText: `the WebRTC media path closed: ${event.reason}`,
      });
    case 'line-lost':
      return ended(state, gatewayLost(event.reason));
  }
}

// Events that only come once Janus sent the INVITE: seen while `calling` has not arrived yet (Janus sends
// `calling` from its request thread and the far end's answer from its SIP thread, and on a busy machine
// the answer wins), they say the INVITE went out first.
const AFTER_THE_INVITE: ReadonlySet<string> = new Set([
  'ringing',
  'proceeding',
  'progress',
  'accepted',
  'hangup',
]);

/**
 * `translateSipLegEvent` for events as Janus may order them: an answer, a ring or a final response
 * before `calling` also records the INVITE (first), so the stream always holds SipInviteSent before
 * what followed it. Returns the steps in the order to record them.
 */
export function translateSipLegEventInOrder(state: SipLegState, event: SipLegEvent): SipLegStep[] {
  if (
    state.stage === 'placing' &&
    state.direction === 'outgoing' &&
    event.kind === 'plugin' &&
    AFTER_THE_INVITE.has(event.name)
  ) {
    const sent: SipLegStep = { state: { ...state, stage: 'invite-sent' }, update: { kind: 'invite-sent' } };
    return [sent, translateSipLegEvent(sent.state, event)];
  }
  return [translateSipLegEvent(state, event)];
}

/** Ends the leg for a reason found outside Janus's events (no gateway, a failed request, a lost gateway). */
export function endSipLeg(state: SipLegState, ending: CallEnding): SipLegStep {
  if (state.stage === 'ended') return unchanged(state);
  return ended(state, ending);
}

/**
 * Records that Janus took the softphone's renegotiation offer (`updating`): the next `accepted` with a
 * JSEP answer answers it rather than the call.
 */
export function startSipLegRenegotiation(state: SipLegState, sdpOffer: string): SipLegState {
  return state.stage === 'answered' ? { ...state, renegotiationOffer: sdpOffer } : state;
}

/** Records that we asked Janus to hang up, so its `hangup` that follows is read as ours. */
export function requestSipLegHangup(state: SipLegState): SipLegState {
  return state.stage === 'ended' ? state : { ...state, hangupRequested: true };
}

export function gatewayLost(reasonText: string): CallEnding {
  return {
    reason: CallEndReason.GATEWAY_LOST,
    hungUpBy: CallParty.SYSTEM,
    sipCode: 0,
    q850Cause: 0,
    reasonText,
  };
}

export function systemFailure(reasonText: string): CallEnding {
  return { reason: CallEndReason.FAILED, hungUpBy: CallParty.SYSTEM, sipCode: 0, q850Cause: 0, reasonText };
}

function translatePluginEvent(
  state: SipLegState,
  event: Extract<SipLegEvent, { kind: 'plugin' }>,
): SipLegStep {
  const { stage } = state;
  switch (event.name) {
    case 'calling':
      if (stage !== 'placing') return unchanged(state);
      return { state: { ...state, stage: 'invite-sent' }, update: { kind: 'invite-sent' } };
    case 'ringing':
      return ringing(state, 180);
    case 'proceeding':
      // Janus 1.1 reports 180 as `proceeding {code: 180}` besides `ringing`; 183 comes as `progress`.
      return event.code !== undefined && RINGING_CODES.has(event.code)
        ? ringing(state, event.code)
        : unchanged(state);
    case 'progress':
      if (event.jsep === undefined || (stage !== 'invite-sent' && stage !== 'ringing'))
        return unchanged(state);
      return {
        state: { ...state, stage: 'early-media', earlySdp: event.jsep.sdp },
        update: { kind: 'early-media', sdp: event.jsep.sdp, sipCode: EARLY_MEDIA_CODE },
      };
    case 'accepted': {
      if (stage === 'answered' && state.renegotiationOffer !== undefined && event.jsep !== undefined) {
        return {
          state: { ...state, renegotiationOffer: undefined },
          update: { kind: 'renegotiated', sdpOffer: state.renegotiationOffer, sdpAnswer: event.jsep.sdp },
        };
      }
      if (stage === 'offered') {
        // Incoming: Janus confirms our `accept`; the call's answer is the softphone's own.
        if (state.acceptedAnswer === undefined) return unchanged(state);
        return {
          state: { ...state, stage: 'answered' },
          update: { kind: 'answered', sdp: state.acceptedAnswer },
        };
      }
      if (stage !== 'invite-sent' && stage !== 'ringing' && stage !== 'early-media') return unchanged(state);
      const sdp = event.jsep?.sdp ?? state.earlySdp;
      if (sdp === undefined) {
        return ended(state, systemFailure('Janus reported the answer without an SDP answer'));
      }
      return { state: { ...state, stage: 'answered' }, update: { kind: 'answered', sdp } };
    }
    case 'hangup':
      return ended(state, sipHangup(state, event.code ?? 0, event.reason ?? '', event.q850Cause ?? 0));
    default:
      // registered, hangingup, webrtcup-like notices, and events of features not handled yet.
      return unchanged(state);
  }
}

function sipHangup(state: SipLegState, sipCode: number, reasonText: string, q850Cause: number): CallEnding {
  const answered = state.stage === 'answered';
  const sip = { sipCode, q850Cause, reasonText };
  // Our user's party: the caller of an outgoing call, the callee of an incoming one.
  const ourUser = state.direction === 'outgoing' ? CallParty.CALLER : CallParty.CALLEE;
  const farEnd = state.direction === 'outgoing' ? CallParty.CALLEE : CallParty.CALLER;
  if (state.declinedWith !== undefined) {
    const code = state.declinedWith;
    return { reason: endReasonForUnansweredCall(code), hungUpBy: ourUser, ...sip, sipCode: code };
  }
  if (state.hangupRequested) {
    // Our BYE (answered) or CANCEL (not yet): the call ended on our user's side.
    return { reason: answered ? CallEndReason.NORMAL : CallEndReason.CANCELLED, hungUpBy: ourUser, ...sip };
  }
  if (state.direction === 'incoming' && !answered) {
    // The carrier gave up before our user answered (CANCEL): Janus reports the 487 it answered with.
    return {
      reason: CallEndReason.CANCELLED,
      hungUpBy: farEnd,
      ...sip,
      sipCode: sipCode === 0 ? 487 : sipCode,
    };
  }
  return {
    reason: answered ? endReasonForAnsweredCall(sipCode) : endReasonForUnansweredCall(sipCode),
    hungUpBy: farEnd,
    ...sip,
  };
}

function ringing(state: SipLegState, sipCode: number): SipLegStep {
  if (state.stage !== 'invite-sent') return unchanged(state);
  return { state: { ...state, stage: 'ringing' }, update: { kind: 'ringing', sipCode } };
}

function ended(state: SipLegState, ending: CallEnding): SipLegStep {
  return { state: { ...state, stage: 'ended' }, update: { kind: 'ended', ending } };
}

function unchanged(state: SipLegState): SipLegStep {
  return { state, update: undefined };
}
