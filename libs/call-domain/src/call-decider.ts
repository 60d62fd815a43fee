import { type CallEvent } from '@ringbus/proto';
import { type CallState, initialCallState } from './call-state.js';
import { decide } from './decide.js';
import { evolve } from './evolve.js';

/** The call's state after the given events, folded from the start. */
export function callStateFrom(events: Iterable<CallEvent>): CallState {
  let state = initialCallState;
  for (const event of events) state = evolve(state, event);
  return state;
}

/** The three pure parts of the call domain in one value, for command handlers that take a decider. */
export const callDecider = Object.freeze({
  decide,
  evolve,
  initialState: (): CallState => initialCallState,
});
