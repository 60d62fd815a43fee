import { type CallOffered, type CallRequested } from '@ringbus/proto';

export type CallDirectionName = 'outgoing' | 'incoming';

/** A call as the softphone knows it: the id it uses, the line it sits on, and who is on it. */
export interface CallView {
  /** Ringbus's call id (UUIDv7): the stream `call-<callId>`. */
  readonly callId: string;
  readonly direction: CallDirectionName;
  /** The WTSP `call_id`: chosen by the client (outgoing) or the carrier's SIP Call-ID (incoming). */
  readonly clientCallId: string;
  /** The line slot; null when the call has none (an incoming call that found every line busy). */
  readonly line: number | null;
  readonly caller: string;
  readonly callee: string;
  readonly callerDisplayName: string;
}

/** Where an incoming call was put: its line (null: every line busy) and its client-facing id. */
export interface IncomingPlacement {
  readonly line: number | null;
  readonly clientCallId: string;
}

export function outgoingCallView(requested: CallRequested): CallView {
  return {
    callId: requested.callId,
    direction: 'outgoing',
    clientCallId: requested.clientCallId,
    line: requested.line ?? null,
    caller: requested.caller,
    callee: requested.callee,
    callerDisplayName: '',
  };
}

export function incomingCallView(offered: CallOffered, placement: IncomingPlacement): CallView {
  return {
    callId: offered.callId,
    direction: 'incoming',
    clientCallId: placement.clientCallId,
    line: placement.line,
    caller: offered.caller,
    callee: offered.callee,
    callerDisplayName: offered.callerDisplayName,
  };
}
