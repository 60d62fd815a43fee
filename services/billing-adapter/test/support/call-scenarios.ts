// Calls as the call domain produces them: commands decided by the one decider, in order.
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { decide, evolve, initialCallState, sipCallIdFor, type CallState } from '@ringbus/call-domain';
import {
  callEventToRecord,
  CallCommandSchema,
  CallEndReason,
  CallParty,
  type CallCommand,
} from '@ringbus/proto';
import { type StoredCallEvent } from '../../src/domain/cdr-event.js';

type CommandInit = NonNullable<MessageInitShape<typeof CallCommandSchema>['command']>;

export const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 0);
export const OFFER_SDP =
  'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
export const ANSWER_SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';

/** One step of a call: what happens, `atMs` after the call started. */
export interface CallStep {
  readonly atMs: number;
  readonly action: CommandInit;
}

export const step = (atMs: number, action: CommandInit): CallStep => ({ atMs, action });

export const requestCall = (atMs = 0, callee = '+4930123456789'): CallStep =>
  step(atMs, {
    case: 'requestCall',
    value: {
      userId: 'user-7',
      line: 0,
      caller: '+15550100',
      callee,
      sdpOffer: OFFER_SDP,
      clientCallId: 'AbC123',
    },
  });
export const offerCall = (atMs = 0): CallStep =>
  step(atMs, {
    case: 'offerCall',
    value: {
      userId: 'user-7',
      line: 1,
      caller: '0301234567',
      callerDisplayName: 'Front desk',
      callee: '+4989123456',
      sdpOffer: OFFER_SDP,
      carrierSipCallId: 'a84b4c76e66710@carrier.example',
      janusGatewayId: 'gw-eu-1',
      region: 'eu',
    },
  });
export const inviteSent = (callId: string, atMs = 50): CallStep =>
  step(atMs, {
    case: 'recordInviteSent',
    value: { sipCallId: sipCallIdFor(callId, 'ringbus.example'), janusGatewayId: 'gw-eu-2', region: 'eu' },
  });
export const ringing = (atMs = 900): CallStep =>
  step(atMs, { case: 'recordRinging', value: { sipCode: 180 } });
export const earlyMedia = (atMs = 1_000): CallStep =>
  step(atMs, { case: 'recordEarlyMedia', value: { sdp: ANSWER_SDP, sipCode: 183 } });
export const answered = (atMs = 5_000): CallStep =>
  step(atMs, { case: 'recordAnswered', value: { sdpAnswer: ANSWER_SDP } });
export const hold = (atMs: number): CallStep => step(atMs, { case: 'hold', value: {} });
export const resume = (atMs: number): CallStep => step(atMs, { case: 'resume', value: {} });
export const dtmf = (atMs: number, digits = '12#'): CallStep =>
  step(atMs, { case: 'sendDtmf', value: { digits } });
export const hangup = (
  atMs: number,
  reason: CallEndReason,
  hungUpBy: CallParty,
  sipCode: number,
  q850Cause: number,
): CallStep =>
  step(atMs, { case: 'hangup', value: { reason, hungUpBy, sipCode, q850Cause, reasonText: '' } });

/** A call's life for each CDR disposition (and a few more shapes), as the services drive it. */
export function scenario(name: ScenarioName, callId: string): CallStep[] {
  switch (name) {
    case 'answered':
      return [
        requestCall(),
        inviteSent(callId),
        ringing(),
        earlyMedia(),
        answered(5_000),
        hold(10_000),
        resume(12_000),
        dtmf(13_000),
        hangup(65_400, CallEndReason.NORMAL, CallParty.CALLER, 200, 16),
      ];
    case 'busy':
      return [requestCall(), inviteSent(callId), hangup(700, CallEndReason.BUSY, CallParty.CALLEE, 486, 17)];
    case 'no_answer':
      return [
        requestCall(),
        inviteSent(callId),
        ringing(),
        hangup(60_900, CallEndReason.NO_ANSWER, CallParty.SYSTEM, 480, 19),
      ];
    case 'cancelled':
      return [
        requestCall(),
        inviteSent(callId),
        ringing(),
        hangup(8_000, CallEndReason.CANCELLED, CallParty.CALLER, 487, 16),
      ];
    case 'rejected':
      return [
        requestCall(),
        inviteSent(callId),
        ringing(),
        hangup(3_000, CallEndReason.REJECTED, CallParty.CALLEE, 603, 21),
      ];
    case 'failed':
      return [
        requestCall(),
        inviteSent(callId),
        hangup(400, CallEndReason.FAILED, CallParty.SYSTEM, 503, 38),
      ];
    case 'gateway_lost_after_answer':
      return [
        requestCall(),
        inviteSent(callId),
        ringing(),
        answered(4_000),
        hangup(30_000, CallEndReason.GATEWAY_LOST, CallParty.SYSTEM, 0, 0),
      ];
    case 'incoming_answered':
      return [offerCall(), answered(3_000), hangup(9_500, CallEndReason.NORMAL, CallParty.CALLEE, 200, 16)];
    case 'incoming_declined':
      return [offerCall(), hangup(2_000, CallEndReason.REJECTED, CallParty.CALLEE, 603, 21)];
    case 'live':
      return [requestCall(), inviteSent(callId), ringing(), answered(5_000)];
  }
}

export const SCENARIOS = [
  'answered',
  'busy',
  'no_answer',
  'cancelled',
  'rejected',
  'failed',
  'gateway_lost_after_answer',
  'incoming_answered',
  'incoming_declined',
  'live',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export function commandOf(callId: string, index: number, callStep: CallStep, startMs = T0): CallCommand {
  return create(CallCommandSchema, {
    commandId: `cmd-${callId}-${index}`,
    callId,
    occurredAt: timestampFromMs(startMs + callStep.atMs),
    command: callStep.action,
  });
}

/**
 * The events `steps` produce through decide and evolve, stored as the command handler stores them:
 * stream versions from 1, the tenant in the envelope, proto JSON data.
 */
export function storedEventsOf(
  callId: string,
  steps: readonly CallStep[],
  tenant = 'acme',
  startMs = T0,
): StoredCallEvent[] {
  let state: CallState = initialCallState;
  const events: StoredCallEvent[] = [];
  steps.forEach((callStep, index) => {
    for (const event of decide(commandOf(callId, index, callStep, startMs), state)) {
      state = evolve(state, event);
      const record = callEventToRecord(event);
      events.push({
        eventId: `${callId.slice(0, 8)}-event-${events.length + 1}`,
        streamId: `call-${callId}`,
        streamVersion: events.length + 1,
        type: record.type,
        schemaVersion: record.schemaVersion,
        tenant,
        data: record.data,
      });
    }
  });
  return events;
}
