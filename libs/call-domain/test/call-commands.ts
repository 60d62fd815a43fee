// Builders for call commands in tests: valid by default, every field overridable.
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  CallCommandSchema,
  CallEndReason,
  CallParty,
  type CallCommand,
  type CallEvent,
  type CallEventCase,
} from '@ringbus/proto';
import {
  CallCommandRejectedError,
  decide,
  evolve,
  initialCallState,
  sipCallIdFor,
  type CallState,
} from '../src/index.js';

export const CALL_ID = '0192f1c2-7a3b-7c4d-8e5f-0123456789ab';
export const OTHER_CALL_ID = '0192f1c2-7a3b-7c4d-9e5f-0000000000ff';
export const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 0);

export const at = (offsetMs: number) => timestampFromMs(T0 + offsetMs);

type CommandInit = NonNullable<MessageInitShape<typeof CallCommandSchema>['command']>;

export function command(action: CommandInit, offsetMs = 0, callId = CALL_ID): CallCommand {
  return create(CallCommandSchema, {
    commandId: `cmd-${action.case ?? 'none'}-${offsetMs}`,
    callId,
    occurredAt: at(offsetMs),
    command: action,
  });
}

export const requestCall = (offsetMs = 0, callId = CALL_ID): CallCommand =>
  command(
    {
      case: 'requestCall',
      value: {
        userId: 'user-7',
        line: 0,
        caller: '+15550100',
        callee: '+15550199',
        sdpOffer: 'v=0 offer',
        clientCallId: 'AbC123',
      },
    },
    offsetMs,
    callId,
  );

export const offerCall = (offsetMs = 0, callId = CALL_ID): CallCommand =>
  command(
    {
      case: 'offerCall',
      value: {
        userId: 'user-7',
        caller: '+15550142',
        callerDisplayName: 'Front desk',
        callee: '+15550100',
        sdpOffer: 'v=0 carrier offer',
        carrierSipCallId: 'a84b4c76e66710@carrier.example',
        janusGatewayId: 'gw-eu-1',
        region: 'eu',
      },
    },
    offsetMs,
    callId,
  );

export const recordInviteSent = (offsetMs = 0, sipCallId = sipCallIdFor(CALL_ID, 'ringbus.example')) =>
  command(
    { case: 'recordInviteSent', value: { sipCallId, janusGatewayId: 'gw-eu-1', region: 'eu' } },
    offsetMs,
  );
export const recordRinging = (offsetMs = 0) =>
  command({ case: 'recordRinging', value: { sipCode: 180 } }, offsetMs);
export const recordEarlyMedia = (offsetMs = 0) =>
  command({ case: 'recordEarlyMedia', value: { sdp: 'v=0 early', sipCode: 183 } }, offsetMs);
export const recordAnswered = (offsetMs = 0) =>
  command({ case: 'recordAnswered', value: { sdpAnswer: 'v=0 answer' } }, offsetMs);
export const recordRenegotiated = (offsetMs = 0) =>
  command(
    { case: 'recordRenegotiated', value: { sdpOffer: 'v=0 ice restart', sdpAnswer: 'v=0 new answer' } },
    offsetMs,
  );
export const hold = (offsetMs = 0) => command({ case: 'hold', value: {} }, offsetMs);
export const resume = (offsetMs = 0) => command({ case: 'resume', value: {} }, offsetMs);
export const sendDtmf = (offsetMs = 0, digits = '12#') =>
  command({ case: 'sendDtmf', value: { digits } }, offsetMs);
export const requestTransfer = (offsetMs = 0) =>
  command({ case: 'requestTransfer', value: { target: '+15550123' } }, offsetMs);
export const hangup = (offsetMs = 0, reason = CallEndReason.NORMAL, hungUpBy = CallParty.CALLER) =>
  command(
    { case: 'hangup', value: { reason, hungUpBy, sipCode: 200, q850Cause: 16, reasonText: 'BYE' } },
    offsetMs,
  );

/** Applies commands through decide and evolve; a rejection fails the test that expected none. */
export function stateAfter(commands: readonly CallCommand[], from: CallState = initialCallState): CallState {
  return commands.reduce((state, cmd) => decide(cmd, state).reduce(evolve, state), from);
}

export function rejectionOf(cmd: CallCommand, state: CallState): CallCommandRejectedError {
  try {
    decide(cmd, state);
  } catch (error) {
    if (error instanceof CallCommandRejectedError) return error;
    throw error;
  }
  throw new Error(`expected ${cmd.command.case} to be rejected on a ${state.status} call`);
}

export function casesOf(events: readonly CallEvent[]): CallEventCase[] {
  return events.map((e) => e.event.case).filter((c): c is CallEventCase => c !== undefined);
}
