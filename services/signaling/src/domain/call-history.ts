import { CallEndReason, type CallEvent } from '@ringbus/proto';

/** How a finished call went, in WebTrit's words. */
export type CallHistoryStatus = 'accepted' | 'declined' | 'missed' | 'error';

/** One finished call as `GET /user/history` lists it. */
export interface CallHistoryEntry {
  /** The id the app knew the call by: its own `call_id` (outgoing) or the carrier's SIP Call-ID (incoming). */
  readonly call_id: string;
  readonly caller: string;
  readonly callee: string;
  readonly direction: 'incoming' | 'outgoing';
  readonly status: CallHistoryStatus;
  /**
   * ISO-8601: the answer, or the call's start when it was never answered (the Flutter app requires a
   * time here; `duration` 0 and the status tell the two apart).
   */
  readonly connect_time: string;
  readonly disconnect_time: string;
  /** Whole seconds from the answer to the end; 0 for an unanswered call. */
  readonly duration: number;
  readonly disconnect_reason: string;
}

/** A stored call event with the moment it happened (the event's metadata `occurredAt`). */
export interface DatedCallEvent {
  readonly event: CallEvent;
  readonly occurredAt: string;
}

const FAILURES = new Set<CallEndReason>([
  CallEndReason.FAILED,
  CallEndReason.GATEWAY_LOST,
  CallEndReason.MEDIA_FAILED,
  CallEndReason.UNSPECIFIED,
]);

function unansweredStatus(direction: 'incoming' | 'outgoing', reason: CallEndReason): CallHistoryStatus {
  if (FAILURES.has(reason) || CallEndReason[reason] === undefined) return 'error';
  if (reason === CallEndReason.REJECTED) return 'declined';
  // The far end was busy: for our caller that is a refusal; for our user an incoming call they never saw.
  if (reason === CallEndReason.BUSY) return direction === 'outgoing' ? 'declined' : 'missed';
  return 'missed';
}

function reasonName(reason: CallEndReason): string {
  return (CallEndReason[reason] ?? 'FAILED').toLowerCase();
}

/**
 * A call's history entry from its event stream, in stream order. Undefined while the call has not ended,
 * or when its stream does not start with CallRequested / CallOffered.
 */
export function callHistoryEntry(events: readonly DatedCallEvent[]): CallHistoryEntry | undefined {
  const first = events[0]?.event.event;
  let start: Pick<CallHistoryEntry, 'call_id' | 'caller' | 'callee' | 'direction'>;
  if (first?.case === 'callRequested') {
    const { clientCallId, caller, callee } = first.value;
    start = { call_id: clientCallId, caller, callee, direction: 'outgoing' };
  } else if (first?.case === 'callOffered') {
    const { carrierSipCallId, callId, caller, callee } = first.value;
    start = {
      call_id: carrierSipCallId === '' ? callId : carrierSipCallId,
      caller,
      callee,
      direction: 'incoming',
    };
  } else {
    return undefined;
  }
  const startedAt = events[0]?.occurredAt ?? '';
  let answeredAt: string | null = null;
  for (const { event, occurredAt } of events) {
    const e = event.event;
    if (e.case === 'answered') answeredAt ??= occurredAt;
    if (e.case === 'callEnded') {
      const ended = e.value;
      const duration =
        answeredAt === null
          ? 0
          : Math.max(0, Math.round((Date.parse(occurredAt) - Date.parse(answeredAt)) / 1000));
      return {
        ...start,
        status: answeredAt === null ? unansweredStatus(start.direction, ended.reason) : 'accepted',
        connect_time: answeredAt ?? startedAt,
        disconnect_time: occurredAt,
        duration,
        disconnect_reason: ended.reasonText === '' ? reasonName(ended.reason) : ended.reasonText,
      };
    }
  }
  return undefined;
}
