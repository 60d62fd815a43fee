import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { CallCommandSchema, type CallCommand } from '@ringbus/proto';
import { type CallUpdate } from './sip-leg-translation.js';

/** Everything a command needs besides the update: ids and time come from the caller (no clock here). */
export interface CommandFrame {
  readonly commandId: string;
  readonly callId: string;
  readonly occurredAtMs: number;
  /** Our SIP Call-ID and where the call runs, for RecordInviteSent. */
  readonly sipCallId: string;
  readonly gatewayId: string;
  readonly region: string;
}

type CommandInit = NonNullable<MessageInitShape<typeof CallCommandSchema>['command']>;

/** The call command that records `update`. */
export function callCommandFor(update: CallUpdate, frame: CommandFrame): CallCommand {
  return create(CallCommandSchema, {
    commandId: frame.commandId,
    callId: frame.callId,
    occurredAt: timestampFromMs(frame.occurredAtMs),
    command: commandOf(update, frame),
  });
}

function commandOf(update: CallUpdate, frame: CommandFrame): CommandInit {
  switch (update.kind) {
    case 'offered':
      return {
        case: 'offerCall',
        value: { ...update.offer, janusGatewayId: frame.gatewayId, region: frame.region },
      };
    case 'invite-sent':
      return {
        case: 'recordInviteSent',
        value: { sipCallId: frame.sipCallId, janusGatewayId: frame.gatewayId, region: frame.region },
      };
    case 'ringing':
      return { case: 'recordRinging', value: { sipCode: update.sipCode } };
    case 'early-media':
      return { case: 'recordEarlyMedia', value: { sdp: update.sdp, sipCode: update.sipCode } };
    case 'answered':
      return { case: 'recordAnswered', value: { sdpAnswer: update.sdp } };
    case 'held':
      return { case: 'hold', value: { mediaDirection: update.mediaDirection } };
    case 'resumed':
      return { case: 'resume', value: {} };
    case 'dtmf-sent':
      return { case: 'sendDtmf', value: { digits: update.digits } };
    case 'renegotiated':
      return {
        case: 'recordRenegotiated',
        value: { sdpOffer: update.sdpOffer, sdpAnswer: update.sdpAnswer },
      };
    case 'ended':
      return { case: 'hangup', value: { ...update.ending } };
  }
}
