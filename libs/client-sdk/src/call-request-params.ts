import { randomInt } from 'node:crypto';
import type {
  HoldDirection,
  Jsep,
  LineIndex,
  PresenceSettings,
  ReferId,
  ServerEvent,
  ServerEventOf,
  EventName,
  TrickleCandidate,
} from '@ringbus/softphone-protocol';

/** Where a request goes: a line (null for the guest line) and, for call requests, the call. */
export interface RequestTarget {
  readonly line?: LineIndex;
  readonly callId?: string;
}

export interface CallTarget {
  readonly line: LineIndex;
  readonly callId: string;
}

export interface OutgoingCallParams extends CallTarget {
  readonly number: string;
  readonly jsep: Jsep;
  /** Caller number to present, on the guest line. */
  readonly from?: string;
  readonly referId?: ReferId;
  readonly replaces?: string;
}
export interface AcceptParams extends CallTarget {
  readonly jsep: Jsep;
}
export interface DeclineParams extends CallTarget {
  readonly referId?: ReferId;
}
export interface HoldParams extends CallTarget {
  readonly direction?: HoldDirection;
}
export interface UpdateParams extends CallTarget {
  readonly jsep: Jsep;
}
export interface TransferParams extends CallTarget {
  readonly number: string;
  /** Attended transfer: the consultation call that replaces this one. */
  readonly replaceCallId?: string;
}
export interface IceTrickleParams {
  readonly line: LineIndex;
  /** null (or `{completed: true}`) ends trickling. */
  readonly candidate: TrickleCandidate;
}
export interface DtmfParams extends CallTarget {
  readonly digits: string;
}
export type PresenceUpdateParams = PresenceSettings;

const CALL_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A client-chosen call id as the public clients make them: 24 alphanumerics. */
export function generateCallId(length = 24): string {
  let id = '';
  for (let i = 0; i < length; i += 1) id += CALL_ID_ALPHABET[randomInt(CALL_ID_ALPHABET.length)];
  return id;
}

/** A predicate for `waitForEvent`: an event by name, optionally on one line and/or call. */
export function eventMatching<N extends EventName>(
  name: N,
  where: RequestTarget = {},
): (event: ServerEvent) => event is ServerEventOf<N> {
  return (event): event is ServerEventOf<N> =>
    event.event === name &&
    (where.line === undefined || ('line' in event && event.line === where.line)) &&
    (where.callId === undefined || ('call_id' in event && event.call_id === where.callId));
}
