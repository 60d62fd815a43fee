import { sippTraceTimeMs } from '@ringbus/platform-testkit';
import { type TracedSipMessage } from '@ringbus/telephony-testkit';

/** The number an INVITE calls (the user part of its request URI). */
export function calledNumber(message: TracedSipMessage): string | undefined {
  return /^sips?:([^@;]+)@/.exec(message.requestUri ?? '')?.[1];
}

/** The time sipp received each INVITE, by called number (first one: retransmissions do not count). */
export function inviteTimesByNumber(
  messages: readonly TracedSipMessage[],
): Map<string, { atMs: number; sipCallId: string | undefined }> {
  const times = new Map<string, { atMs: number; sipCallId: string | undefined }>();
  for (const message of messages) {
    if (message.direction !== 'received' || message.method !== 'INVITE') continue;
    const number = calledNumber(message);
    const atMs = sippTraceTimeMs(message.loggedAt);
    if (number === undefined || atMs === undefined || times.has(number)) continue;
    times.set(number, { atMs, sipCallId: message.callId });
  }
  return times;
}
