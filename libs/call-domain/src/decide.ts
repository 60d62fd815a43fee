import { create } from '@bufbuild/protobuf';
import { type Timestamp } from '@bufbuild/protobuf/wkt';
import { CallEventSchema, type CallCommand, type CallEvent } from '@ringbus/proto';
import { isSipCallIdOf } from './call-identity.js';
import { CallCommandRejectedError, type CallRejectionCode } from './call-command-rejected.js';
import { commandProblem } from './command-problems.js';
import { type CallState, type LiveCallStatus } from './call-state.js';
import { copyOf, laterOf } from './timestamps.js';

type EventInit = Parameters<typeof create<typeof CallEventSchema>>[1];

const event = (init: NonNullable<EventInit>): CallEvent => create(CallEventSchema, init);

const ANSWERABLE: ReadonlySet<LiveCallStatus> = new Set(['offered', 'invite_sent', 'ringing', 'early_media']);
const RINGING_OR_LATER: ReadonlySet<LiveCallStatus> = new Set(['ringing', 'early_media', 'answered', 'held']);
const EARLY_MEDIA_OR_LATER: ReadonlySet<LiveCallStatus> = new Set(['early_media', 'answered', 'held']);
const CONNECTED: ReadonlySet<LiveCallStatus> = new Set(['answered', 'held']);

/**
 * What a command does to a call: the events to append, possibly none. Throws CallCommandRejectedError
 * when the call cannot accept the command.
 *
 * Rules beyond the plain transitions (docs/events.md has the table):
 * - A Record* command for a stage the call has already passed is a no-op: SIP and Janus repeat
 *   themselves (a second 180, a late 183), and a redelivered command must not fail.
 * - Hold on a held call and Resume on an answered call are no-ops for the same reason.
 * - Hangup on an ended call is a no-op (both parties hanging up at once is normal); every other command
 *   on an ended call is CALL_ALREADY_ENDED.
 * - An event is never earlier than the call's previous event: a command stamped earlier (a producer's
 *   clock behind another's) is recorded at the previous event's time, so durations never go negative.
 */
export function decide(command: CallCommand, state: CallState): CallEvent[] {
  const c = command.command;
  const reject = (code: CallRejectionCode, message: string): CallCommandRejectedError =>
    new CallCommandRejectedError(code, message, command.callId, c.case ?? 'unknown', state.status);

  const problem = commandProblem(command);
  if (problem !== undefined) throw reject('INVALID_COMMAND', problem);
  if (command.occurredAt === undefined) {
    throw reject('INVALID_COMMAND', 'occurredAt is required: the domain has no clock');
  }

  if (state.status === 'none') {
    const at = copyOf(command.occurredAt);
    switch (c.case) {
      case 'requestCall':
        return [
          event({
            event: {
              case: 'callRequested',
              value: {
                callId: command.callId,
                occurredAt: at,
                userId: c.value.userId,
                line: c.value.line,
                caller: c.value.caller,
                callee: c.value.callee,
                sdpOffer: c.value.sdpOffer,
                clientCallId: c.value.clientCallId,
              },
            },
          }),
        ];
      case 'offerCall':
        return [
          event({
            event: {
              case: 'callOffered',
              value: {
                callId: command.callId,
                occurredAt: at,
                userId: c.value.userId,
                line: c.value.line,
                caller: c.value.caller,
                callerDisplayName: c.value.callerDisplayName,
                callee: c.value.callee,
                sdpOffer: c.value.sdpOffer,
                carrierSipCallId: c.value.carrierSipCallId,
                janusGatewayId: c.value.janusGatewayId,
                region: c.value.region,
              },
            },
          }),
        ];
      default:
        throw reject('CALL_NOT_FOUND', 'the call has no events; start it with RequestCall or OfferCall');
    }
  }
  if (command.callId !== state.callId) {
    throw reject(
      'INVALID_COMMAND',
      `the state given is of call ${state.callId}: load the command's own stream`,
    );
  }
  if (state.status === 'ended') {
    if (c.case === 'hangup') return [];
    throw reject('CALL_ALREADY_ENDED', 'the call has ended and nothing can change it');
  }

  const status = state.status;
  const at: Timestamp = laterOf(command.occurredAt, state.lastEventAt);
  const ids = { callId: state.callId, occurredAt: at };
  const notNow = (what: string): CallCommandRejectedError =>
    reject('INVALID_TRANSITION', `${what} (call is ${status})`);

  switch (c.case) {
    case 'requestCall':
    case 'offerCall':
      throw reject('CALL_ALREADY_EXISTS', 'a call with this id already exists; mint a new call id');
    case 'recordInviteSent':
      if (!isSipCallIdOf(c.value.sipCallId, state.callId)) {
        throw reject(
          'SIP_CALL_ID_MISMATCH',
          `SIP Call-ID ${c.value.sipCallId} is not sipCallIdFor(${state.callId})`,
        );
      }
      if (status === 'requested') {
        const { sipCallId, janusGatewayId, region } = c.value;
        return [
          event({ event: { case: 'sipInviteSent', value: { ...ids, sipCallId, janusGatewayId, region } } }),
        ];
      }
      if (state.sipCallId === c.value.sipCallId) return [];
      throw notNow('only a requested outgoing call sends an INVITE');
    case 'recordRinging':
      if (status === 'invite_sent') {
        return [event({ event: { case: 'ringing', value: { ...ids, sipCode: c.value.sipCode } } })];
      }
      if (RINGING_OR_LATER.has(status)) return [];
      throw notNow('ringing needs an INVITE sent first');
    case 'recordEarlyMedia':
      if (status === 'invite_sent' || status === 'ringing') {
        return [
          event({
            event: { case: 'earlyMedia', value: { ...ids, sdp: c.value.sdp, sipCode: c.value.sipCode } },
          }),
        ];
      }
      if (EARLY_MEDIA_OR_LATER.has(status)) return [];
      throw notNow('early media needs an INVITE sent first');
    case 'recordAnswered':
      if (ANSWERABLE.has(status)) {
        return [event({ event: { case: 'answered', value: { ...ids, sdpAnswer: c.value.sdpAnswer } } })];
      }
      if (CONNECTED.has(status)) return [];
      throw notNow('an answer needs an INVITE sent or an offer received first');
    case 'recordRenegotiated':
      if (CONNECTED.has(status)) {
        const { sdpOffer, sdpAnswer } = c.value;
        return [event({ event: { case: 'mediaRenegotiated', value: { ...ids, sdpOffer, sdpAnswer } } })];
      }
      throw notNow('only an answered or held call can renegotiate its media');
    case 'hold':
      if (status === 'answered') {
        return [
          event({ event: { case: 'heldByUs', value: { ...ids, mediaDirection: c.value.mediaDirection } } }),
        ];
      }
      if (status === 'held') return [];
      throw notNow('only an answered call can be held');
    case 'resume':
      if (status === 'held') return [event({ event: { case: 'resumed', value: ids } })];
      if (status === 'answered') return [];
      throw notNow('only a held call can be resumed');
    case 'sendDtmf':
      if (status === 'answered') {
        return [
          event({ event: { case: 'dtmfSent', value: { ...ids, digits: c.value.digits.toUpperCase() } } }),
        ];
      }
      throw notNow('DTMF needs an answered call that is not on hold');
    case 'requestTransfer':
      if (CONNECTED.has(status)) {
        const { target, replaceCallId } = c.value;
        return [event({ event: { case: 'transferRequested', value: { ...ids, target, replaceCallId } } })];
      }
      throw notNow('only an answered or held call can be transferred');
    case 'hangup': {
      const { reason, hungUpBy, sipCode, q850Cause, reasonText } = c.value;
      return [
        event({
          event: { case: 'callEnded', value: { ...ids, reason, hungUpBy, sipCode, q850Cause, reasonText } },
        }),
      ];
    }
    case undefined:
      throw reject('INVALID_COMMAND', 'the command names no action');
  }
}
