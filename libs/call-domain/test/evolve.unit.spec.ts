import { create } from '@bufbuild/protobuf';
import { CallEndReason, CallEventSchema, CallParty } from '@ringbus/proto';
import { describe, expect, it } from 'vitest';
import { callStateFrom, decide, evolve, initialCallState } from '../src/index.js';
import {
  OTHER_CALL_ID,
  CALL_ID,
  at,
  hangup,
  recordAnswered,
  recordInviteSent,
  requestCall,
  stateAfter,
} from './call-commands.js';

describe('evolve', () => {
  it('rebuilds the same state from the events decide produced', () => {
    const commands = [requestCall(0), recordInviteSent(1), recordAnswered(2), hangup(3)];
    const events = [];
    let state = initialCallState;
    for (const cmd of commands) {
      const produced = decide(cmd, state);
      events.push(...produced);
      state = produced.reduce(evolve, state);
    }

    expect(callStateFrom(events)).toEqual(state);
  });

  it('ignores an event of another call', () => {
    const requested = stateAfter([requestCall(0)]);
    const foreign = create(CallEventSchema, {
      event: {
        case: 'callEnded',
        value: { callId: OTHER_CALL_ID, occurredAt: at(1), reason: CallEndReason.NORMAL },
      },
    });

    expect(evolve(requested, foreign)).toBe(requested);
  });

  it('ignores anything after CallEnded and any stage the call cannot reach', () => {
    const ended = stateAfter([requestCall(0), hangup(1)]);
    const ringing = create(CallEventSchema, {
      event: { case: 'ringing', value: { callId: CALL_ID, occurredAt: at(2) } },
    });
    const held = create(CallEventSchema, {
      event: { case: 'heldByUs', value: { callId: CALL_ID, occurredAt: at(2) } },
    });
    const endedAgain = create(CallEventSchema, {
      event: {
        case: 'callEnded',
        value: {
          callId: CALL_ID,
          occurredAt: at(9),
          reason: CallEndReason.FAILED,
          hungUpBy: CallParty.SYSTEM,
        },
      },
    });

    expect(evolve(ended, ringing)).toBe(ended);
    expect(evolve(ended, endedAgain)).toBe(ended);
    expect(evolve(stateAfter([requestCall(0)]), held).status).toBe('requested');
    expect(evolve(initialCallState, ringing)).toBe(initialCallState);
    expect(evolve(initialCallState, create(CallEventSchema, {}))).toBe(initialCallState);
  });

  it('never moves time backwards, even for an event stamped earlier than its predecessor', () => {
    const requested = stateAfter([requestCall(1_000)]);
    const early = create(CallEventSchema, {
      event: {
        case: 'callEnded',
        value: {
          callId: CALL_ID,
          occurredAt: at(0),
          reason: CallEndReason.CANCELLED,
          hungUpBy: CallParty.CALLER,
        },
      },
    });

    expect(evolve(requested, early)).toMatchObject({ status: 'ended', endedAt: at(1_000) });
  });
});
