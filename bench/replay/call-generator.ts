import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { decide, evolve, initialCallState, sipCallIdFor, type CallState } from '@ringbus/call-domain';
import { type NewEvent } from '@ringbus/event-store';
import { callEventToRecord, CallCommandSchema, CallEndReason, CallParty } from '@ringbus/proto';
import { v7 as uuidv7 } from 'uuid';

type CommandInit = NonNullable<MessageInitShape<typeof CallCommandSchema>['command']>;

/** One call as the store takes it: its stream and the events the call decider produced, 5–9 of them. */
export interface GeneratedCall {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
}

// SDP bodies of realistic size (a WebRTC audio offer with one candidate, a carrier's answer): they are
// most of a call's bytes, which the CDR rebuild must not pay for.
const OFFER_SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS 2f3c4d5e-6f70-4812-9a3b-4c5d6e7f8091',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=candidate:1467250027 1 udp 2122260223 192.168.1.23 53241 typ host generation 0 network-id 1',
  'a=ice-ufrag:Gx3b',
  'a=ice-pwd:Yq9k2mN4pR7sT1vW8xZ0aB3c',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08',
  'a=setup:actpass',
  'a=mid:0',
  'a=sendrecv',
  'a=msid:2f3c4d5e-6f70-4812-9a3b-4c5d6e7f8091 3a4b5c6d-7e8f-4901-a2b3-c4d5e6f70812',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtpmap:126 telephone-event/8000',
  'a=ssrc:1993245567 cname:Qm3tH9rJ2kL5nP8w',
  '',
].join('\r\n');
const ANSWER_SDP = [
  'v=0',
  'o=- 7283920184 7283920184 IN IP4 203.0.113.10',
  's=Janus SIP',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=audio 40000 UDP/TLS/RTP/SAVPF 0 126',
  'c=IN IP4 203.0.113.10',
  'a=candidate:1 1 udp 2013266431 203.0.113.10 40000 typ host',
  'a=ice-ufrag:k9Rf',
  'a=ice-pwd:Zx8yW7vU6tS5rQ4pO3nM2lK1',
  'a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F',
  'a=setup:active',
  'a=mid:0',
  'a=sendrecv',
  'a=rtcp-mux',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:126 telephone-event/8000',
  '',
].join('\r\n');

const TENANTS = ['acme', 'globex', 'initech', 'umbrella'] as const;
const GATEWAYS = ['janus-eu-1', 'janus-eu-2', 'janus-us-1'] as const;

type Step = readonly [atMs: number, action: CommandInit];

/**
 * `count` calls through the call decider: outgoing calls answered (with holds and DTMF) or not (busy,
 * no answer, cancelled, rejected, failed), and incoming calls; every call has 5–9 events. Time and
 * shapes come from `random`, so a seed gives the same mix; ids are fresh UUIDv7s.
 */
export function* generateCalls(
  count: number,
  random: () => number,
  startMs: number,
): Generator<GeneratedCall> {
  for (let index = 0; index < count; index += 1) {
    yield generateCall(random, startMs + index * 37);
  }
}

function generateCall(random: () => number, startMs: number): GeneratedCall {
  const callId = uuidv7();
  const tenant = TENANTS[Math.floor(random() * TENANTS.length)] as string;
  const gateway = GATEWAYS[Math.floor(random() * GATEWAYS.length)] as string;
  const steps = random() < 0.8 ? outgoingSteps(callId, gateway, random) : incomingSteps(gateway, random);
  let state: CallState = initialCallState;
  const events: NewEvent[] = [];
  steps.forEach(([atMs, action], index) => {
    const commandId = `${callId}-${index}`;
    const command = create(CallCommandSchema, {
      commandId,
      callId,
      occurredAt: timestampFromMs(startMs + atMs),
      command: action,
    });
    for (const event of decide(command, state)) {
      state = evolve(state, event);
      const record = callEventToRecord(event);
      events.push({
        eventId: uuidv7(),
        type: record.type,
        schemaVersion: record.schemaVersion,
        data: record.data,
        metadata: {
          occurredAt: new Date(startMs + atMs).toISOString(),
          causationId: commandId,
          correlationId: `call-${callId}`,
          tenant,
          traceparent: '',
        },
      });
    }
  });
  return { streamId: `call-${callId}`, events };
}

function outgoingSteps(callId: string, gateway: string, random: () => number): Step[] {
  const number = `+49${Math.floor(3_000_000_000 + random() * 900_000_000)}`;
  const steps: Step[] = [
    [
      0,
      {
        case: 'requestCall',
        value: {
          userId: `user-${Math.floor(random() * 50_000)}`,
          line: Math.floor(random() * 2),
          caller: '+15550100',
          callee: random() < 0.7 ? number : `0${number.slice(3)}`,
          sdpOffer: OFFER_SDP,
          clientCallId: callId.slice(-12),
        },
      },
    ],
    [
      40,
      {
        case: 'recordInviteSent',
        value: {
          sipCallId: sipCallIdFor(callId, 'sip.ringbus.example'),
          janusGatewayId: gateway,
          region: 'eu',
        },
      },
    ],
    [800, { case: 'recordRinging', value: { sipCode: 180 } }],
    [1_200, { case: 'recordEarlyMedia', value: { sdp: ANSWER_SDP, sipCode: 183 } }],
  ];
  const outcome = random();
  if (outcome < 0.6) {
    const answeredAt = 3_000 + Math.floor(random() * 20_000);
    steps.push([answeredAt, { case: 'recordAnswered', value: { sdpAnswer: ANSWER_SDP } }]);
    let at = answeredAt;
    const extras = Math.floor(random() * 4);
    for (let extra = 0; extra < extras && steps.length < 8; extra += 1) {
      at += 1_000 + Math.floor(random() * 30_000);
      if (random() < 0.5 && steps.length < 7) {
        steps.push([at, { case: 'hold', value: {} }], [at + 5_000, { case: 'resume', value: {} }]);
        at += 5_000;
      } else {
        steps.push([at, { case: 'sendDtmf', value: { digits: String(Math.floor(random() * 1e4)) } }]);
      }
    }
    at += 1_000 + Math.floor(random() * 300_000);
    steps.push(
      hangup(at, CallEndReason.NORMAL, random() < 0.5 ? CallParty.CALLER : CallParty.CALLEE, 200, 16),
    );
    return steps;
  }
  const at = 2_000 + Math.floor(random() * 40_000);
  const unanswered: [CallEndReason, CallParty, number, number][] = [
    [CallEndReason.BUSY, CallParty.CALLEE, 486, 17],
    [CallEndReason.NO_ANSWER, CallParty.SYSTEM, 480, 19],
    [CallEndReason.CANCELLED, CallParty.CALLER, 487, 16],
    [CallEndReason.REJECTED, CallParty.CALLEE, 603, 21],
    [CallEndReason.FAILED, CallParty.SYSTEM, 503, 38],
  ];
  const [reason, party, sipCode, q850] = unanswered[Math.floor(random() * unanswered.length)]!;
  steps.push(hangup(at, reason, party, sipCode, q850));
  return steps;
}

function incomingSteps(gateway: string, random: () => number): Step[] {
  const steps: Step[] = [
    [
      0,
      {
        case: 'offerCall',
        value: {
          userId: `user-${Math.floor(random() * 50_000)}`,
          caller: `0${Math.floor(300_000_000 + random() * 600_000_000)}`,
          callerDisplayName: 'Caller',
          callee: '+4930555000',
          sdpOffer: OFFER_SDP,
          carrierSipCallId: `${Math.floor(random() * 1e15).toString(16)}@carrier.example`,
          janusGatewayId: gateway,
          region: 'eu',
        },
      },
    ],
    [4_000, { case: 'recordAnswered', value: { sdpAnswer: ANSWER_SDP } }],
    [9_000, { case: 'hold', value: {} }],
    [15_000, { case: 'resume', value: {} }],
  ];
  if (random() < 0.5) steps.push([16_000, { case: 'sendDtmf', value: { digits: '1#' } }]);
  steps.push(
    hangup(20_000 + Math.floor(random() * 200_000), CallEndReason.NORMAL, CallParty.CALLEE, 200, 16),
  );
  return steps;
}

function hangup(
  at: number,
  reason: CallEndReason,
  hungUpBy: CallParty,
  sipCode: number,
  q850Cause: number,
): Step {
  return [at, { case: 'hangup', value: { reason, hungUpBy, sipCode, q850Cause, reasonText: '' } }];
}
