import { z } from 'zod';
import {
  callIdSchema,
  dtmfDigitsSchema,
  holdDirectionSchema,
  jsepSchema,
  lineSchema,
  numberSchema,
  referIdSchema,
  transactionSchema,
  trickleCandidateSchema,
} from './wire-values.js';

/*
 * Client-to-server requests. Keys are the wire's (snake_case). Optional keys accept `null` as well as
 * absence because the Flutter app serializes unset optionals as explicit nulls (`"refer_id": null`).
 * Unknown keys are dropped.
 */

const callTarget = { transaction: transactionSchema, line: lineSchema, call_id: callIdSchema };

export const outgoingCallRequestSchema = z.object({
  request: z.literal('outgoing_call'),
  ...callTarget,
  number: numberSchema,
  jsep: jsepSchema,
  /** Caller number to present; meant for the guest line (`line: null`). */
  from: z.string().nullish(),
  refer_id: referIdSchema.nullish(),
  /** Call id of the call this one replaces (attended transfer target side). */
  replaces: z.string().nullish(),
});

export const acceptRequestSchema = z.object({
  request: z.literal('accept'),
  ...callTarget,
  jsep: jsepSchema,
});

export const declineRequestSchema = z.object({
  request: z.literal('decline'),
  ...callTarget,
  refer_id: referIdSchema.nullish(),
});

export const hangupRequestSchema = z.object({ request: z.literal('hangup'), ...callTarget });

export const holdRequestSchema = z.object({
  request: z.literal('hold'),
  ...callTarget,
  direction: holdDirectionSchema.nullish(),
});

export const unholdRequestSchema = z.object({ request: z.literal('unhold'), ...callTarget });

/** Renegotiation: an ICE-restart offer from the client, or its answer to an `updating_call` offer. */
export const updateRequestSchema = z.object({
  request: z.literal('update'),
  ...callTarget,
  jsep: jsepSchema,
});

/** Blind transfer to `number`, or attended transfer replacing `replace_call_id`. */
export const transferRequestSchema = z.object({
  request: z.literal('transfer'),
  ...callTarget,
  number: numberSchema,
  replace_call_id: callIdSchema.nullish(),
});

/** A line request: the public clients send no `call_id` (WebTrit's docs example sometimes does). */
export const iceTrickleRequestSchema = z.object({
  request: z.literal('ice_trickle'),
  transaction: transactionSchema,
  line: lineSchema,
  call_id: callIdSchema.optional(),
  candidate: trickleCandidateSchema.default(null),
});

/** A session request (no line). Field types follow the Flutter app's `SignalingPresenceSettings`. */
export const presenceSettingsSchema = z.looseObject({
  available: z.boolean().optional(),
  note: z.string().optional(),
  status_icon: z.string().nullish(),
  device: z.string().optional(),
  time_offset_min: z.int().optional(),
  timestamp: z.string().optional(),
  activity: z.string().nullish(),
  dnd_mode: z.boolean().optional(),
});
export const presenceUpdateRequestSchema = z.object({
  request: z.literal('presence_update'),
  transaction: transactionSchema,
  settings: presenceSettingsSchema,
});

/** **Ringbus** extension: DTMF sent as SIP INFO through Janus, for clients that do not send it in-band. */
export const dtmfRequestSchema = z.object({
  request: z.literal('dtmf'),
  ...callTarget,
  digits: dtmfDigitsSchema,
});

export type OutgoingCallRequest = z.infer<typeof outgoingCallRequestSchema>;
export type AcceptRequest = z.infer<typeof acceptRequestSchema>;
export type DeclineRequest = z.infer<typeof declineRequestSchema>;
export type HangupRequest = z.infer<typeof hangupRequestSchema>;
export type HoldRequest = z.infer<typeof holdRequestSchema>;
export type UnholdRequest = z.infer<typeof unholdRequestSchema>;
export type UpdateRequest = z.infer<typeof updateRequestSchema>;
export type TransferRequest = z.infer<typeof transferRequestSchema>;
export type IceTrickleRequest = z.infer<typeof iceTrickleRequestSchema>;
export type PresenceSettings = z.infer<typeof presenceSettingsSchema>;
export type PresenceUpdateRequest = z.infer<typeof presenceUpdateRequestSchema>;
export type DtmfRequest = z.infer<typeof dtmfRequestSchema>;

/** Requests that act on one call: they carry `line` and `call_id`, and may appear in a line's call log. */
export const callRequestSchemas = {
  outgoing_call: outgoingCallRequestSchema,
  accept: acceptRequestSchema,
  decline: declineRequestSchema,
  hangup: hangupRequestSchema,
  hold: holdRequestSchema,
  unhold: unholdRequestSchema,
  update: updateRequestSchema,
  transfer: transferRequestSchema,
} as const;

export const requestSchemas = {
  ...callRequestSchemas,
  ice_trickle: iceTrickleRequestSchema,
  presence_update: presenceUpdateRequestSchema,
  dtmf: dtmfRequestSchema,
} as const;

export type CallRequestName = keyof typeof callRequestSchemas;
export type RequestName = keyof typeof requestSchemas;
export const REQUEST_NAMES = Object.keys(requestSchemas) as readonly RequestName[];

export type CallRequest =
  | OutgoingCallRequest
  | AcceptRequest
  | DeclineRequest
  | HangupRequest
  | HoldRequest
  | UnholdRequest
  | UpdateRequest
  | TransferRequest;
export type ClientRequest = CallRequest | IceTrickleRequest | PresenceUpdateRequest | DtmfRequest;
export type ClientRequestOf<N extends RequestName> = Extract<ClientRequest, { request: N }>;

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requestSchemas, name);
}
