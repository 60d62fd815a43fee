import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { v7 as uuidv7 } from 'uuid';
import {
  CallCommandSchema,
  CallEndReason,
  CallParty,
  callEventFromRecord,
  type CallEnded,
} from '@ringbus/proto';
import { METRICS_REGISTRY } from '@ringbus/service-kit';
import { freeLoopbackPort } from '@ringbus/testkit';
import { type Registry } from 'prom-client';
import { OutgoingCallPlatform, type ServiceSettings } from './support/outgoing-call-platform.js';

function callEndedOf(event: Awaited<ReturnType<OutgoingCallPlatform['waitForEvent']>>): CallEnded {
  const decoded = callEventFromRecord(event);
  if (decoded.event.case !== 'callEnded') throw new Error(`expected CallEnded, got ${event.type}`);
  return decoded.event.value;
}

// Calls that fail before any SIP is sent need no Janus: these run on the host, with a gateway address
// where nothing listens, against a nats-server of the test's own and PostgreSQL.
describe('outgoing calls that cannot be placed', () => {
  let platform: OutgoingCallPlatform;
  let settings: ServiceSettings;

  beforeAll(async () => {
    platform = await OutgoingCallPlatform.start();
    settings = {
      gateways: [
        {
          id: 'janus-nowhere',
          region: 'eu',
          wsUrl: `ws://127.0.0.1:${await freeLoopbackPort()}`,
          capacity: 10,
        },
      ],
      carrierSipPort: 5060,
      instanceId: 'mo-int-failures',
    };
  });

  afterEach(async () => {
    await platform?.stopServices();
  });

  afterAll(async () => {
    await platform?.close();
  });

  it("the service's registry counts the failed call and shows the gateway down (what GET /metrics serves)", async () => {
    const { app } = await platform.startService(settings);
    const { callId } = await platform.requestCall('v=0\r\n');
    await platform.waitForEvent(callId, 'CallEnded');
    const registry = app.get<Registry>(METRICS_REGISTRY);
    // Counted once the command handler returned, a moment after the event is visible in the store.
    await expect
      .poll(() => registry.metrics(), { timeout: 2_000 })
      .toMatch(
        /^ringbus_media_calls_ended_total\{direction="outgoing",reason="failed",answered="false",service="[^"]+"\} 1$/m,
      );
    const text = await registry.metrics();
    expect(text).toMatch(
      /^ringbus_janus_gateway_up\{gateway="janus-nowhere",region="eu",service="[^"]+"\} 0$/m,
    );
    expect(text).toMatch(/^ringbus_media_active_calls\{service="[^"]+"\} 0$/m);
    // No INVITE was sent, so no set-up time was observed.
    expect(text).not.toMatch(/^ringbus_media_call_setup_seconds_count/m);
  });

  it('no gateway connected: the call ends FAILED by the system, saying why, with no SIP code', async () => {
    await platform.startService(settings);
    const { callId } = await platform.requestCall('v=0\r\n');
    const ended = callEndedOf(await platform.waitForEvent(callId, 'CallEnded'));
    expect(ended).toMatchObject({ reason: CallEndReason.FAILED, hungUpBy: CallParty.SYSTEM, sipCode: 0 });
    expect(ended.reasonText).toMatch(/no Janus gateway is connected/);
    expect(await platform.eventTypes(callId)).toEqual(['CallRequested', 'CallEnded']);
  });

  it('a callee that is no number: the call ends FAILED without reaching a gateway', async () => {
    await platform.startService(settings);
    const { callId } = await platform.requestCall('v=0\r\n', 'bob@evil.example');
    const ended = callEndedOf(await platform.waitForEvent(callId, 'CallEnded'));
    expect(ended).toMatchObject({ reason: CallEndReason.FAILED, hungUpBy: CallParty.SYSTEM });
    expect(ended.reasonText).toMatch(/cannot be dialled/);
  });

  it('a call request older than CALL_REQUEST_MAX_AGE_MS is not dialled any more', async () => {
    await platform.startService(settings);
    const callId = uuidv7();
    await platform.commands(
      create(CallCommandSchema, {
        commandId: uuidv7(),
        callId,
        occurredAt: timestampFromMs(Date.now() - 120_000),
        command: {
          case: 'requestCall',
          value: { userId: 'user-1', caller: '1001', callee: '1002', sdpOffer: 'v=0', clientCallId: 'c' },
        },
      }),
      { tenant: 'acme', traceparent: '' },
    );
    const ended = callEndedOf(await platform.waitForEvent(callId, 'CallEnded'));
    expect(ended).toMatchObject({ reason: CallEndReason.FAILED, hungUpBy: CallParty.SYSTEM });
    expect(ended.reasonText).toMatch(/ms old/);
  });

  it('a call that ended before media-orchestration got to it is not placed', async () => {
    const { callId } = await platform.requestCall('v=0\r\n');
    await platform.hangUpAsCaller(callId, CallEndReason.CANCELLED, CallParty.CALLER);
    await platform.startService(settings);
    // A later call goes through the same consumer: once it is handled, the earlier one was too.
    const { callId: later } = await platform.requestCall('v=0\r\n');
    await platform.waitForEvent(later, 'CallEnded');
    expect(await platform.eventTypes(callId)).toEqual(['CallRequested', 'CallEnded']);
    expect(callEndedOf(await platform.waitForEvent(callId, 'CallEnded')).reason).toBe(
      CallEndReason.CANCELLED,
    );
  });
});
