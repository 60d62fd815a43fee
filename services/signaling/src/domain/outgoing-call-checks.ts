import { type Jsep } from '@ringbus/softphone-protocol';
import { refusals, type Refusal } from './request-refusal.js';

/** Why a request's `line` cannot be served: the guest line (not configured yet) or no such line. */
export function lineRefusal(line: number | null, lineCount: number): Refusal | undefined {
  if (line === null) return refusals.guestLine();
  if (line >= lineCount) return refusals.noSuchLine(line, lineCount);
  return undefined;
}

/**
 * A plausible SDP session description: it starts with the version line and has an origin and at least
 * one media section. Janus parses it for real; this keeps obvious garbage out of the call's stream.
 */
export function sdpProblem(sdp: string): string | undefined {
  const text = sdp.trimStart();
  if (!text.startsWith('v=0')) return 'jsep.sdp does not start with v=0';
  if (!/\r?\no=/.test(text)) return 'jsep.sdp has no o= line';
  if (!/\r?\nm=/.test(text)) return 'jsep.sdp has no m= line';
  return undefined;
}

/** What is wrong with an `outgoing_call` before anything is stored, if anything. */
export function outgoingCallRefusal(
  request: { readonly line: number | null; readonly jsep: Jsep },
  lineCount: number,
): Refusal | undefined {
  const onLine = lineRefusal(request.line, lineCount);
  if (onLine !== undefined) return onLine;
  if (request.jsep.type !== 'offer') return refusals.invalidSdp('jsep: an outgoing call needs an SDP offer');
  const problem = sdpProblem(request.jsep.sdp);
  return problem === undefined ? undefined : refusals.invalidSdp(problem);
}
