// Calls as the services make them: commands decided by the one decider and appended through the real
// command handler, so the CLI reads exactly what production writes.
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { createCallCommandHandler } from '@ringbus/call-commands';
import { sipCallIdFor } from '@ringbus/call-domain';
import { type EventStore } from '@ringbus/event-store';
import { CallCommandSchema, CallEndReason, CallParty } from '@ringbus/proto';
import { v7 as uuidv7 } from 'uuid';

type CommandInit = NonNullable<MessageInitShape<typeof CallCommandSchema>['command']>;

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n';

export interface CraftedCall {
  readonly callId: string;
  readonly sipCallId: string;
  readonly startMs: number;
}

/**
 * An outgoing call started at `startMs`: answered after 5 s and ended `talkMs` later, or ended busy
 * after 700 ms when `talkMs` is null.
 */
export async function placeOutgoingCall(
  store: EventStore,
  startMs: number,
  talkMs: number | null,
): Promise<CraftedCall> {
  const callId = uuidv7();
  const sipCallId = sipCallIdFor(callId, 'ringbus.example');
  const steps: [number, CommandInit][] = [
    [
      0,
      {
        case: 'requestCall',
        value: {
          userId: 'user-7',
          line: 0,
          caller: '+15550100',
          callee: '+4930123456789',
          sdpOffer: SDP,
          clientCallId: 'c1',
        },
      },
    ],
    [50, { case: 'recordInviteSent', value: { sipCallId, janusGatewayId: 'gw-eu-1', region: 'eu' } }],
  ];
  if (talkMs === null) {
    steps.push([
      700,
      {
        case: 'hangup',
        value: {
          reason: CallEndReason.BUSY,
          hungUpBy: CallParty.CALLEE,
          sipCode: 486,
          q850Cause: 17,
          reasonText: '',
        },
      },
    ]);
  } else {
    steps.push([5_000, { case: 'recordAnswered', value: { sdpAnswer: SDP } }]);
    steps.push([
      5_000 + talkMs,
      {
        case: 'hangup',
        value: {
          reason: CallEndReason.NORMAL,
          hungUpBy: CallParty.CALLER,
          sipCode: 200,
          q850Cause: 16,
          reasonText: '',
        },
      },
    ]);
  }
  const commands = createCallCommandHandler({ store, newEventId: uuidv7 });
  for (const [index, [atMs, command]] of steps.entries()) {
    await commands(
      create(CallCommandSchema, {
        commandId: `cmd-${callId}-${index}`,
        callId,
        occurredAt: timestampFromMs(startMs + atMs),
        command,
      }),
      { tenant: 'acme', traceparent: '' },
    );
  }
  return { callId, sipCallId, startMs };
}
