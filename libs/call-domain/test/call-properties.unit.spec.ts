import { clone, create } from '@bufbuild/protobuf';
import {
  CallCommandSchema,
  CallEndReason,
  CallEventSchema,
  CallParty,
  HoldMediaDirection,
  callEventFromRecord,
  callEventToRecord,
  type CallCommand,
  type CallEvent,
  type CallEventCase,
} from '@ringbus/proto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CallCommandRejectedError,
  callStateFrom,
  callStateViolations,
  decide,
  evolve,
  initialCallState,
  sipCallIdFor,
  type CallState,
  type CallStatus,
} from '../src/index.js';
import { CALL_ID, OTHER_CALL_ID, at, command, hangup, offerCall, requestCall } from './call-commands.js';

// Commands are mostly well-formed and aimed at CALL_ID, with a share of malformed fields, another call's
// id and timestamps that run backwards, so sequences reach every stage and every rejection path.
const offset = fc.integer({ min: -60_000, max: 3_600_000 });
const targetCallId = fc.constantFrom(CALL_ID, CALL_ID, CALL_ID, CALL_ID, CALL_ID, OTHER_CALL_ID);
const maybeEmpty = (value: string) => fc.constantFrom(value, value, value, '');

const action = fc.oneof(
  fc
    .record({ userId: maybeEmpty('user-7'), callee: maybeEmpty('+15550199'), sdpOffer: maybeEmpty('v=0 o') })
    .map((value) => ({ case: 'requestCall' as const, value: { ...value, caller: '+15550100', line: 1 } })),
  fc
    .record({
      carrierSipCallId: maybeEmpty('abc@carrier'),
      janusGatewayId: maybeEmpty('gw-1'),
      sdpOffer: maybeEmpty('v=0'),
    })
    .map((value) => ({
      case: 'offerCall' as const,
      value: { ...value, userId: 'user-7', callee: '+15550100' },
    })),
  fc
    .constantFrom(
      sipCallIdFor(CALL_ID),
      sipCallIdFor(CALL_ID, 'rb.example'),
      sipCallIdFor(OTHER_CALL_ID),
      'x@y',
    )
    .map((sipCallId) => ({
      case: 'recordInviteSent' as const,
      value: { sipCallId, janusGatewayId: 'gw-1' },
    })),
  fc
    .constantFrom(0, 180, 180, 183, 200)
    .map((sipCode) => ({ case: 'recordRinging' as const, value: { sipCode } })),
  maybeEmpty('v=0 e').map((sdp) => ({ case: 'recordEarlyMedia' as const, value: { sdp, sipCode: 183 } })),
  maybeEmpty('v=0 a').map((sdpAnswer) => ({ case: 'recordAnswered' as const, value: { sdpAnswer } })),
  fc
    .constantFrom(HoldMediaDirection.UNSPECIFIED, HoldMediaDirection.INACTIVE)
    .map((mediaDirection) => ({ case: 'hold' as const, value: { mediaDirection } })),
  fc.constant({ case: 'resume' as const, value: {} }),
  maybeEmpty('v=0 r').map((sdpOffer) => ({
    case: 'recordRenegotiated' as const,
    value: { sdpOffer, sdpAnswer: 'v=0 r answer' },
  })),
  fc
    .constantFrom('1', '*#', '9a', 'x', '')
    .map((digits) => ({ case: 'sendDtmf' as const, value: { digits } })),
  fc.constantFrom('', OTHER_CALL_ID, CALL_ID).map((replaceCallId) => ({
    case: 'requestTransfer' as const,
    value: { target: '+15550123', replaceCallId },
  })),
  fc
    .record({
      reason: fc.integer({ min: 0, max: 10 }),
      hungUpBy: fc.integer({ min: 0, max: 3 }),
      sipCode: fc.constantFrom(0, 200, 486, 487, 503, 700),
      q850Cause: fc.constantFrom(0, 16, 17, 128),
    })
    .map((value) => ({
      case: 'hangup' as const,
      value: { ...value, reason: value.reason as CallEndReason },
    })),
);

const anyCommand = fc.tuple(action, offset, targetCallId).map(([a, ms, id]) => command(a, ms, id));
const start = fc.oneof(fc.constant(requestCall(0)), fc.constant(offerCall(0)), anyCommand);
const sequence = fc
  .tuple(start, fc.array(anyCommand, { maxLength: 40 }))
  .map(([first, rest]) => [first, ...rest]);

interface Step {
  readonly events: readonly CallEvent[];
  readonly rejection: string | undefined;
  readonly state: CallState;
}

/** decide + evolve over every command; a rejection leaves the state as it was. */
function run(commands: readonly CallCommand[], from: CallState = initialCallState): Step[] {
  const steps: Step[] = [];
  let state = from;
  for (const cmd of commands) {
    try {
      const events = decide(cmd, state);
      state = events.reduce(evolve, state);
      steps.push({ events, rejection: undefined, state });
    } catch (error) {
      if (!(error instanceof CallCommandRejectedError)) throw error;
      steps.push({ events: [], rejection: error.code, state });
    }
  }
  return steps;
}

describe('call domain properties', () => {
  it('(a) no command sequence reaches an impossible state, and decide only ever rejects with its own error', () => {
    const reached = new Set<CallStatus>();
    fc.assert(
      fc.property(sequence, (commands) => {
        let callId: string | undefined;
        for (const step of run(commands)) {
          reached.add(step.state.status);
          expect(callStateViolations(step.state)).toEqual([]);
          expect(step.events.length).toBeLessThanOrEqual(1);
          if (step.state.status === 'none') continue;
          // A call keeps the id it started with, and every event is stamped with it.
          callId ??= step.state.callId;
          expect(step.state.callId).toBe(callId);
          for (const e of step.events) expect(e.event.value?.callId).toBe(callId);
        }
      }),
      { numRuns: 1500 },
    );
    // The generator is only worth something if it reaches every stage.
    expect([...reached].sort()).toEqual(
      [
        'answered',
        'early_media',
        'ended',
        'held',
        'invite_sent',
        'none',
        'offered',
        'requested',
        'ringing',
      ].sort(),
    );
  });

  it('(b) once ended, every further command yields no event or a rejection, and the state never changes', () => {
    const endedCall = fc
      .tuple(sequence, fc.constantFrom(CallEndReason.NORMAL, CallEndReason.GATEWAY_LOST), offset)
      .map(([commands, reason, ms]) => stateAfterAll([...commands, hangup(ms, reason, CallParty.SYSTEM)]))
      .filter((state) => state.status === 'ended');

    fc.assert(
      fc.property(endedCall, fc.array(anyCommand, { minLength: 1, maxLength: 30 }), (ended, later) => {
        const snapshot = structuredClone(ended);
        for (const step of run(later, ended)) {
          expect(step.events).toEqual([]);
          expect(step.state).toBe(ended);
        }
        expect(ended).toEqual(snapshot);
      }),
      { numRuns: 200 },
    );
  });

  it('(b) once ended, no event of any kind changes the state', () => {
    const cases = eventCases();
    expect(cases).toHaveLength(12);
    const anyEvent = fc.tuple(fc.constantFrom(...cases), offset);

    fc.assert(
      fc.property(sequence, fc.array(anyEvent, { maxLength: 20 }), (commands, later) => {
        const live = stateAfterAll(commands);
        fc.pre(live.status !== 'none');
        const reason = CallEndReason.FAILED;
        const end = command(
          { case: 'hangup', value: { reason, hungUpBy: CallParty.SYSTEM } },
          0,
          live.callId,
        );
        const ended = run([end], live).at(-1)?.state;
        expect(ended?.status).toBe('ended');
        // Events of the call itself, so only its having ended can explain that they change nothing.
        const events = later.map(([eventCase, ms]) => eventOf(eventCase, at(ms), live.callId));
        expect(events.reduce(evolve, ended ?? initialCallState)).toBe(ended);
      }),
      { numRuns: 200 },
    );
  });

  it('(c) the same commands give the same events and states, and replaying the stored events gives the same state', () => {
    fc.assert(
      fc.property(sequence, (commands) => {
        const first = run(commands);
        const second = run(commands.map((c) => clone(CallCommandSchema, c)));
        expect(second).toEqual(first);

        // What a service restarting from the event store sees: every event through its stored JSON form.
        const stored = first.flatMap((step) => step.events).map((e) => JSON.stringify(callEventToRecord(e)));
        const replayed = callStateFrom(stored.map((json) => callEventFromRecord(JSON.parse(json))));
        expect(replayed).toEqual(first.at(-1)?.state ?? initialCallState);
      }),
      { numRuns: 300 },
    );
  });
});

function stateAfterAll(commands: readonly CallCommand[]): CallState {
  return run(commands).at(-1)?.state ?? initialCallState;
}

function eventCases(): CallEventCase[] {
  return CallEventSchema.oneofs[0]?.fields.map((f) => f.localName as CallEventCase) ?? [];
}

function eventOf(eventCase: CallEventCase, occurredAt: ReturnType<typeof at>, callId: string): CallEvent {
  // Minimal data is enough: after the end nothing may matter, whatever the event says.
  const value = { callId, occurredAt, reason: CallEndReason.NORMAL, hungUpBy: CallParty.CALLER };
  return create(CallEventSchema, { event: { case: eventCase, value } as never });
}
