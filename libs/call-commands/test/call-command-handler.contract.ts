import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallCommandRejectedError, callStreamId, sipCallIdFor } from '@ringbus/call-domain';
import { type EventStore } from '@ringbus/event-store';
import { CallCommandSchema, CallEndReason, CallParty, type CallCommand } from '@ringbus/proto';
import { createCallCommandHandler, type CallCommandHandler } from '../src/index.js';

type CommandInit = NonNullable<MessageInitShape<typeof CallCommandSchema>['command']>;
const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
const context = { tenant: 'acme', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };

function command(callId: string, action: CommandInit, offsetMs: number, commandId = uuidv7()): CallCommand {
  return create(CallCommandSchema, {
    commandId,
    callId,
    occurredAt: timestampFromMs(T0 + offsetMs),
    command: action,
  });
}
const requestCall = (): CommandInit => ({
  case: 'requestCall',
  value: {
    userId: 'u-1',
    line: 0,
    caller: '1001',
    callee: '+15551234567',
    sdpOffer: 'v=0',
    clientCallId: 'abc',
  },
});
const inviteSent = (callId: string): CommandInit => ({
  case: 'recordInviteSent',
  value: { sipCallId: sipCallIdFor(callId), janusGatewayId: 'janus-a', region: 'eu' },
});
const hangup: CommandInit = {
  case: 'hangup',
  value: { hungUpBy: CallParty.CALLER, reason: CallEndReason.NORMAL, sipCode: 200, q850Cause: 16 },
};

/** Behaviours of the command handler that must hold over every event store backend. */
export function runCallCommandHandlerContract(
  name: string,
  openStore: () => Promise<EventStore & { dispose?(): Promise<void> }>,
) {
  describe(`call command handler over ${name}`, () => {
    let store: EventStore & { dispose?(): Promise<void> };
    let handle: CallCommandHandler;
    beforeAll(async () => {
      store = await openStore();
      handle = createCallCommandHandler({ store, newEventId: uuidv7 });
    });
    afterAll(async () => {
      await store.dispose?.();
    });

    it('appends the decided events with the envelope every event carries', async () => {
      const callId = uuidv7();
      const requested = command(callId, requestCall(), 0);
      const outcome = await handle(requested, context);
      expect(outcome.alreadyHandled).toBe(false);
      expect(outcome.state.status).toBe('requested');
      expect(outcome.events).toHaveLength(1);
      const [event] = outcome.events;
      expect(event).toMatchObject({
        streamId: callStreamId(callId),
        streamVersion: 1,
        type: 'CallRequested',
        schemaVersion: 1,
        metadata: {
          occurredAt: new Date(T0).toISOString(),
          causationId: requested.commandId,
          correlationId: callStreamId(callId),
          tenant: 'acme',
          traceparent: context.traceparent,
        },
      });
      expect(await store.readStream(callStreamId(callId))).toEqual(outcome.events);
    });

    it('answers a redelivered command with its earlier events and appends nothing', async () => {
      const callId = uuidv7();
      const requested = command(callId, requestCall(), 0);
      const first = await handle(requested, context);
      const again = await handle(requested, context);
      expect(again.alreadyHandled).toBe(true);
      expect(again.events).toEqual(first.events);
      expect(await store.readStream(callStreamId(callId))).toHaveLength(1);
    });

    it('decides again after a concurrent writer: racing commands on one call all land, in a valid order', async () => {
      const callId = uuidv7();
      await handle(command(callId, requestCall(), 0), context);
      await handle(command(callId, inviteSent(callId), 10), context);
      const racing = [
        command(callId, { case: 'recordRinging', value: {} }, 20),
        command(callId, { case: 'recordRinging', value: {} }, 21),
        command(callId, hangup, 30),
        command(callId, { case: 'recordRinging', value: {} }, 22),
      ];
      const outcomes = await Promise.allSettled(racing.map((c) => handle(c, context)));
      for (const outcome of outcomes) {
        // A ringing decided after the hangup is refused as CALL_ALREADY_ENDED; nothing else may fail.
        if (outcome.status === 'rejected') {
          expect(outcome.reason).toBeInstanceOf(CallCommandRejectedError);
          expect((outcome.reason as CallCommandRejectedError).code).toBe('CALL_ALREADY_ENDED');
        }
      }
      const stream = await store.readStream(callStreamId(callId));
      const types = stream.map((e) => e.type);
      expect(types.filter((t) => t === 'CallEnded')).toHaveLength(1);
      expect(types.filter((t) => t === 'Ringing').length).toBeLessThanOrEqual(1);
      expect(types.at(-1)).toBe('CallEnded');
      expect(stream.map((e) => e.streamVersion)).toEqual(stream.map((_, i) => i + 1));
    });

    it('passes the domain rejection through, typed, and appends nothing', async () => {
      const callId = uuidv7();
      await expect(handle(command(callId, hangup, 0), context)).rejects.toMatchObject({
        code: 'CALL_NOT_FOUND',
      });
      await expect(store.readStream(callStreamId(callId))).rejects.toMatchObject({
        code: 'STREAM_NOT_FOUND',
      });
    });
  });
}
