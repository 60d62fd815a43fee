import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  CallEndReason,
  CallEventSchema,
  CallParty,
  HoldMediaDirection,
  type CallEvent,
} from '@ringbus/proto';

/** Call events of one call, as the decider would produce them, for the pure tests. */
export const CALL_ID = '0192f1c2-7a3b-7c4d-8e5f-0123456789ab';
export const OFFER_SDP =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
export const ANSWER_SDP = 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

const at = (ms: number) => timestampFromMs(ms);

export const callEvents = {
  requested: (ms = 1_000): CallEvent =>
    create(CallEventSchema, {
      event: {
        case: 'callRequested',
        value: {
          callId: CALL_ID,
          occurredAt: at(ms),
          userId: 'alice',
          line: 0,
          caller: '+15550001',
          callee: '+15550199',
          sdpOffer: OFFER_SDP,
          clientCallId: 'clientCall0000000000001',
        },
      },
    }),
  offered: (ms = 1_000): CallEvent =>
    create(CallEventSchema, {
      event: {
        case: 'callOffered',
        value: {
          callId: CALL_ID,
          occurredAt: at(ms),
          userId: 'alice',
          caller: '+15550777',
          callerDisplayName: 'Bob',
          callee: '+15550001',
          sdpOffer: OFFER_SDP,
          carrierSipCallId: 'carrier-abc@10.0.0.1',
          janusGatewayId: 'janus-1',
          region: 'local',
        },
      },
    }),
  inviteSent: (ms = 1_100): CallEvent =>
    create(CallEventSchema, {
      event: {
        case: 'sipInviteSent',
        value: { callId: CALL_ID, occurredAt: at(ms), sipCallId: `rb-${CALL_ID}`, janusGatewayId: 'janus-1' },
      },
    }),
  ringing: (ms = 1_200): CallEvent =>
    create(CallEventSchema, {
      event: { case: 'ringing', value: { callId: CALL_ID, occurredAt: at(ms), sipCode: 180 } },
    }),
  earlyMedia: (ms = 1_250): CallEvent =>
    create(CallEventSchema, {
      event: {
        case: 'earlyMedia',
        value: { callId: CALL_ID, occurredAt: at(ms), sdp: ANSWER_SDP, sipCode: 183 },
      },
    }),
  answered: (ms = 1_300): CallEvent =>
    create(CallEventSchema, {
      event: { case: 'answered', value: { callId: CALL_ID, occurredAt: at(ms), sdpAnswer: ANSWER_SDP } },
    }),
  held: (ms = 1_400): CallEvent =>
    create(CallEventSchema, {
      event: {
        case: 'heldByUs',
        value: { callId: CALL_ID, occurredAt: at(ms), mediaDirection: HoldMediaDirection.SENDONLY },
      },
    }),
  resumed: (ms = 1_500): CallEvent =>
    create(CallEventSchema, { event: { case: 'resumed', value: { callId: CALL_ID, occurredAt: at(ms) } } }),
  dtmf: (ms = 1_550): CallEvent =>
    create(CallEventSchema, {
      event: { case: 'dtmfSent', value: { callId: CALL_ID, occurredAt: at(ms), digits: '12#' } },
    }),
  transfer: (ms = 1_580): CallEvent =>
    create(CallEventSchema, {
      event: {
        case: 'transferRequested',
        value: { callId: CALL_ID, occurredAt: at(ms), target: '+15550300' },
      },
    }),
  ended: (
    fields: { reason?: CallEndReason; sipCode?: number; reasonText?: string } = {},
    ms = 1_600,
  ): CallEvent =>
    create(CallEventSchema, {
      event: {
        case: 'callEnded',
        value: {
          callId: CALL_ID,
          occurredAt: at(ms),
          reason: fields.reason ?? CallEndReason.NORMAL,
          hungUpBy: CallParty.CALLEE,
          sipCode: fields.sipCode ?? 0,
          reasonText: fields.reasonText ?? '',
        },
      },
    }),
};
