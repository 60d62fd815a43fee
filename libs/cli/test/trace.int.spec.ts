import { fileURLToPath } from 'node:url';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { createCallCommandHandler } from '@ringbus/call-commands';
import { createPostgresEventStore, type EventStore, migratePostgresEventStore } from '@ringbus/event-store';
import { CallCommandSchema, CallEndReason, CallParty } from '@ringbus/proto';
import { createTestSchema, startNodeProcess, type TestSchema } from '@ringbus/testkit';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallTrace } from '../src/index.js';
import { type CraftedCall, placeOutgoingCall } from './support/crafted-calls.js';

// The compiled CLI, as an operator runs it (`npx tsc -b` first).
const MAIN = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));
const T0 = Date.UTC(2026, 10, 25, 9, 10);
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CARRIER_CALL_ID = 'a84b4c76e66710@pc33.carrier.example';
const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n';

type CommandInit = NonNullable<MessageInitShape<typeof CallCommandSchema>['command']>;

let schema: TestSchema;
let store: EventStore;
let databaseUrl: string;
let outgoing: CraftedCall;
let incomingCallId: string;

async function ringbus(args: readonly string[]) {
  const child = await startNodeProcess({
    args: [MAIN, ...args],
    env: { DATABASE_URL: databaseUrl, CDR_SCHEMA: undefined, CDR_DEFAULT_COUNTRY_CODE: undefined },
    name: `ringbus ${args[0] ?? ''}`,
  });
  const exit = await child.waitForExit(60_000);
  return { code: exit.code, output: child.output() };
}

/** An incoming call, traced, offered by the carrier with its own Call-ID, answered, then hung up. */
async function offerIncomingCall(carrierSipCallId: string): Promise<string> {
  const callId = uuidv7();
  const steps: [number, CommandInit][] = [
    [
      0,
      {
        case: 'offerCall',
        value: {
          userId: 'user-9',
          line: 1,
          caller: '+4930999',
          callee: '+15550100',
          sdpOffer: SDP,
          carrierSipCallId,
          janusGatewayId: 'gw-us-2',
          region: 'us',
        },
      },
    ],
    [2_000, { case: 'recordAnswered', value: { sdpAnswer: SDP } }],
    [
      9_500,
      {
        case: 'hangup',
        value: { reason: CallEndReason.GATEWAY_LOST, hungUpBy: CallParty.SYSTEM, sipCode: 0, q850Cause: 0 },
      },
    ],
  ];
  const commands = createCallCommandHandler({ store, newEventId: uuidv7 });
  for (const [index, [atMs, command]] of steps.entries()) {
    await commands(
      create(CallCommandSchema, {
        commandId: `cmd-${callId}-${index}`,
        callId,
        occurredAt: timestampFromMs(T0 + atMs),
        command,
      }),
      { tenant: 'acme', traceparent: `00-${TRACE_ID}-00f067aa0ba902b${index}-01` },
    );
  }
  return callId;
}

beforeAll(async () => {
  schema = await createTestSchema('cli_trace');
  await migratePostgresEventStore(schema.pool);
  store = createPostgresEventStore({ pool: schema.pool });
  const url = new URL(schema.databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema.schema}`);
  databaseUrl = url.toString();
  outgoing = await placeOutgoingCall(store, T0, null);
  incomingCallId = await offerIncomingCall(CARRIER_CALL_ID);
  // The carrier reused a Call-ID for two calls: tracing it must not pick one silently.
  await offerIncomingCall('reused@carrier.example');
  await offerIncomingCall('reused@carrier.example');
}, 60_000);

afterAll(async () => {
  await store?.close();
  await schema?.drop();
});

describe('ringbus trace (compiled, against PostgreSQL)', () => {
  it('traces an outgoing call by callId as text: summary and one row per event', async () => {
    const { code, output } = await ringbus(['trace', outgoing.callId]);
    expect(code, output).toBe(0);
    expect(output).toContain(`call         ${outgoing.callId} (outgoing, tenant acme)`);
    expect(output).toContain(`SIP Call-ID  ours ${outgoing.sipCallId}, carrier -`);
    expect(output).toContain('gateway      gw-eu-1');
    expect(output).toContain('ended        BUSY, hung up by CALLEE, SIP 486, Q.850 17, after 700 ms');
    expect(output).toMatch(/v1 +2026-11-25T09:10:00\.000Z +\+0 +CallRequested +signaling +userId=user-7/);
    expect(output).toMatch(/v2 +\S+ +\+50 +SipInviteSent +media-orchestration +sipCallId=rb-/);
    expect(output).toMatch(/v3 +2026-11-25T09:10:00\.700Z +\+700 +CallEnded +any +reason=BUSY/);
  });

  it("finds the same call by our SIP Call-ID, and an incoming call by the carrier's, as JSON with its trace id", async () => {
    const ours = await ringbus(['trace', outgoing.sipCallId, '--json']);
    expect(ours.code, ours.output).toBe(0);
    expect((JSON.parse(ours.output) as CallTrace).callId).toBe(outgoing.callId);

    const carrier = await ringbus(['trace', CARRIER_CALL_ID, '--json']);
    expect(carrier.code, carrier.output).toBe(0);
    const trace = JSON.parse(carrier.output) as CallTrace;
    expect(trace).toMatchObject({
      callId: incomingCallId,
      direction: 'incoming',
      traceIds: [TRACE_ID],
      sipCallIds: { ours: null, carrier: CARRIER_CALL_ID },
      gateways: ['gw-us-2'],
      ended: { reason: 'GATEWAY_LOST', hungUpBy: 'SYSTEM', sipCode: 0, afterMs: 9_500 },
    });
    expect(trace.events.map((each) => [each.type, each.offsetMs])).toEqual([
      ['CallOffered', 0],
      ['Answered', 2_000],
      ['CallEnded', 9_500],
    ]);
  });

  it('an unknown call exits 1 with a message; bad input and an ambiguous carrier Call-ID exit 2', async () => {
    const unknownCallId = uuidv7();
    const unknown = await ringbus(['trace', unknownCallId]);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain(`no call found for ${unknownCallId}`);

    const unknownCarrier = await ringbus(['trace', 'nobody@carrier.example']);
    expect(unknownCarrier.code).toBe(1);
    expect(unknownCarrier.output).toContain('no CallOffered has this carrier SIP Call-ID');

    const bad = await ringbus(['trace', 'not a call id']);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('is neither a callId');

    const reused = await ringbus(['trace', 'reused@carrier.example']);
    expect(reused.code).toBe(2);
    expect(reused.output).toContain('belongs to 2 calls');

    const missing = await ringbus(['trace']);
    expect(missing.code).toBe(2);
  });
});
