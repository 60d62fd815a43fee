import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { createCallCommandHandler } from '@ringbus/call-commands';
import { sipCallIdFor } from '@ringbus/call-domain';
import { createInMemoryEventStore } from '@ringbus/event-store';
import { CallCommandSchema, CallEndReason, CallParty } from '@ringbus/proto';
import { Registry } from 'prom-client';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { type JanusGatewayStatus } from '../src/adapters/janus/janus-gateway-link.js';
import { MediaOrchestrationMetrics } from '../src/adapters/metrics/media-metrics.js';

type CommandInit = NonNullable<MessageInitShape<typeof CallCommandSchema>['command']>;

const CALL_A = '0192f3a0-7c1e-7b2a-9c3d-5e6f7a8b9c0d';
const CALL_B = '0192f3a0-7c1e-7b2a-9c3d-5e6f7a8b9c0e';
const T0 = Date.UTC(2026, 11, 1, 9);

function gatewayStatus(id: string, overrides: Partial<JanusGatewayStatus>): JanusGatewayStatus {
  return {
    id,
    region: 'eu',
    capacity: 100,
    liveCalls: 0,
    warmLines: 0,
    handlesAttached: 0,
    state: 'up',
    lastError: undefined,
    ...overrides,
  };
}

function setUp() {
  const registry = new Registry();
  let statuses: JanusGatewayStatus[] = [];
  const metrics = new MediaOrchestrationMetrics(registry, { status: () => statuses });
  const handle = metrics.observing(
    createCallCommandHandler({ store: createInMemoryEventStore(), newEventId: uuidv7 }),
  );
  const send = (callId: string, index: number, atMs: number, command: CommandInit) =>
    handle(
      create(CallCommandSchema, {
        commandId: `c-${callId}-${index}`,
        callId,
        occurredAt: timestampFromMs(atMs),
        command,
      }),
      { tenant: 'acme', traceparent: '' },
    );
  return { registry, metrics, send, setStatuses: (next: JanusGatewayStatus[]) => (statuses = next) };
}

const request: CommandInit = {
  case: 'requestCall',
  value: { userId: 'u-1', caller: '1001', callee: '+15551234567', sdpOffer: 'v=0', clientCallId: 'x' },
};
const inviteSent = (callId: string): CommandInit => ({
  case: 'recordInviteSent',
  value: { sipCallId: sipCallIdFor(callId), janusGatewayId: 'janus-eu-1', region: 'eu' },
});

describe('media-orchestration metrics', () => {
  it('observes call set-up time from CallRequested to INVITE sent, once per call', async () => {
    const { registry, send } = setUp();
    await send(CALL_A, 0, T0, request);
    await send(CALL_A, 1, T0 + 300, inviteSent(CALL_A));
    // A redelivered command records nothing new and counts nothing.
    await send(CALL_A, 1, T0 + 300, inviteSent(CALL_A));
    const text = await registry.metrics();
    expect(text).toContain('ringbus_media_call_setup_seconds_count{region="eu"} 1');
    expect(text).toContain('ringbus_media_call_setup_seconds_sum{region="eu"} 0.3');
    expect(text).toContain('ringbus_media_call_setup_seconds_bucket{le="0.25",region="eu"} 0');
    expect(text).toContain('ringbus_media_call_setup_seconds_bucket{le="0.5",region="eu"} 1');
  });

  it('counts ended calls by direction, end reason and whether they were answered', async () => {
    const { registry, send } = setUp();
    await send(CALL_A, 0, T0, request);
    await send(CALL_A, 1, T0 + 100, inviteSent(CALL_A));
    await send(CALL_A, 2, T0 + 700, {
      case: 'hangup',
      value: { reason: CallEndReason.BUSY, hungUpBy: CallParty.CALLEE, sipCode: 486 },
    });
    await send(CALL_A, 3, T0 + 800, {
      case: 'hangup',
      value: { reason: CallEndReason.NORMAL, hungUpBy: CallParty.CALLER },
    });
    await send(CALL_B, 0, T0, request);
    await send(CALL_B, 1, T0 + 100, inviteSent(CALL_B));
    await send(CALL_B, 2, T0 + 2_000, { case: 'recordAnswered', value: { sdpAnswer: 'v=0' } });
    await send(CALL_B, 3, T0 + 9_000, {
      case: 'hangup',
      value: { reason: CallEndReason.NORMAL, hungUpBy: CallParty.CALLER, sipCode: 200 },
    });
    const ended = (await registry.getSingleMetricAsString('ringbus_media_calls_ended_total'))
      .split('\n')
      .filter((line) => !line.startsWith('#'));
    expect(ended).toEqual([
      'ringbus_media_calls_ended_total{direction="outgoing",reason="busy",answered="false"} 1',
      'ringbus_media_calls_ended_total{direction="outgoing",reason="normal",answered="true"} 1',
    ]);
  });

  it('reads active calls and the Janus gateways from the pool at each scrape', async () => {
    const { registry, setStatuses } = setUp();
    setStatuses([
      gatewayStatus('janus-eu-1', { liveCalls: 3, warmLines: 2, handlesAttached: 7 }),
      gatewayStatus('janus-us-1', { region: 'us', liveCalls: 1, state: 'down' }),
    ]);
    let text = await registry.metrics();
    expect(text).toMatch(/^ringbus_media_active_calls 4$/m);
    expect(text).toContain('ringbus_janus_gateway_up{gateway="janus-eu-1",region="eu"} 1');
    expect(text).toContain('ringbus_janus_gateway_up{gateway="janus-us-1",region="us"} 0');
    expect(text).toContain('ringbus_janus_gateway_warm_lines{gateway="janus-eu-1",region="eu"} 2');
    expect(text).toContain('ringbus_janus_gateway_handles_attached{gateway="janus-eu-1",region="eu"} 7');
    expect(text).toContain('ringbus_janus_gateway_live_calls{gateway="janus-us-1",region="us"} 1');
    expect(text).toContain('ringbus_janus_gateway_capacity_calls{gateway="janus-eu-1",region="eu"} 100');

    // A gateway removed from the pool leaves no stale series behind.
    setStatuses([gatewayStatus('janus-eu-1', { liveCalls: 0, state: 'connecting' })]);
    text = await registry.metrics();
    expect(text).toMatch(/^ringbus_media_active_calls 0$/m);
    expect(text).toContain('ringbus_janus_gateway_up{gateway="janus-eu-1",region="eu"} 0');
    expect(text).not.toContain('janus-us-1');
  });
});
