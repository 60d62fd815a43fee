import { z } from 'zod';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };

/**
 * A request's `transaction`: any JSON value but null, echoed back exactly as received. Both public clients
 * send strings (`transaction-<n>`), but WebTrit's docs promise nothing more than "unique", so Ringbus
 * never interprets it.
 */
export type Transaction = Exclude<JsonValue, null>;
export const transactionSchema = z.custom<Transaction>((value) => value !== undefined && value !== null, {
  message: 'transaction is required',
});

/** A line index, or null for the guest line (outgoing calls with an alternate `from` number). */
export type LineIndex = number | null;
export const lineSchema = z.union([z.int().min(0), z.null()], {
  error: 'line must be a non-negative integer, or null for the guest line',
});

/**
 * The client-facing call id. Clients pick it for outgoing calls (24 alphanumerics in both public clients);
 * for incoming calls it is the carrier's SIP Call-ID, which has no fixed length, hence the generous bound.
 */
export const MAX_CALL_ID_LENGTH = 1024;
export const callIdSchema = z.string().min(1).max(MAX_CALL_ID_LENGTH);

export const MAX_NUMBER_LENGTH = 256;
export const numberSchema = z.string().min(1).max(MAX_NUMBER_LENGTH);

/** An RTCSessionDescription as clients serialize it; extra keys (Janus adds `trickle`) pass through. */
export const jsepSchema = z.looseObject({
  type: z.enum(['offer', 'answer', 'pranswer', 'rollback']),
  sdp: z.string(),
});
export type Jsep = z.infer<typeof jsepSchema>;

/** An RTCIceCandidate as `toJSON()` / flutter_webrtc `toMap()` produce it. */
export const iceCandidateSchema = z.looseObject({
  candidate: z.string(),
  sdpMid: z.string().nullish(),
  sdpMLineIndex: z.int().min(0).nullish(),
  usernameFragment: z.string().nullish(),
});
export type IceCandidate = z.infer<typeof iceCandidateSchema>;

/** End of candidates: the Flutter app sends `null`; WebTrit's server-to-client form is `{"completed":true}`. */
export const iceCandidatesCompletedSchema = z.object({ completed: z.literal(true) });
export type IceCandidatesCompleted = z.infer<typeof iceCandidatesCompletedSchema>;
export const trickleCandidateSchema = z.union([iceCandidatesCompletedSchema, iceCandidateSchema, z.null()]);
export type TrickleCandidate = IceCandidate | IceCandidatesCompleted | null;

export function isEndOfCandidates(candidate: TrickleCandidate): candidate is IceCandidatesCompleted | null {
  return candidate === null || ('completed' in candidate && candidate.completed === true);
}

/**
 * A REFER's id. WebTrit's docs say number; both public clients hold it as a string in requests and in the
 * `transfer` event (and the Flutter app as an integer in the `declining` event), so requests accept either.
 */
export const referIdSchema = z.union([z.string().min(1), z.int()]);
export type ReferId = z.infer<typeof referIdSchema>;

export const holdDirectionSchema = z.enum(['sendonly', 'recvonly', 'inactive']);
export type HoldDirection = z.infer<typeof holdDirectionSchema>;

export const mediaKindSchema = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof mediaKindSchema>;

export const registrationStatusSchema = z.enum([
  'registering',
  'registered',
  'registration_failed',
  'unregistering',
  'unregistered',
]);
export type RegistrationStatus = z.infer<typeof registrationStatusSchema>;

export const subscriptionStateSchema = z.enum(['pending', 'active', 'terminated']);
export type SubscriptionState = z.infer<typeof subscriptionStateSchema>;

/** DTMF digits Janus can relay in SIP INFO (dtmf-relay): 0-9, *, #, A-D. */
export const MAX_DTMF_DIGITS = 64;
export const dtmfDigitsSchema = z
  .string()
  .min(1)
  .max(MAX_DTMF_DIGITS)
  .regex(/^[0-9*#A-Da-d]+$/, 'digits may only hold 0-9, *, # and A-D');

export const errorCodeSchema = z.int();
export const reasonSchema = z.string();
