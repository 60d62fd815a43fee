import { z } from 'zod';
import {
  callIdSchema,
  errorCodeSchema,
  iceCandidateSchema,
  iceCandidatesCompletedSchema,
  jsepSchema,
  lineSchema,
  mediaKindSchema,
  reasonSchema,
  subscriptionStateSchema,
  transactionSchema,
} from './wire-values.js';

/*
 * Server-to-client events. An event names its scope by the keys it carries: session events have neither
 * `line` nor `call_id`, line events have `line` (null for the guest line), call events have both.
 * `line` is required (not optional) on line and call events: a client reads a missing `line` as null,
 * which is the guest line, not "unknown".
 * Field types follow the public clients where they differ from WebTrit's docs (see the notes per event).
 */

const sessionScope = { transaction: transactionSchema.optional() };
const lineScope = { ...sessionScope, line: lineSchema };
const callScope = { ...lineScope, call_id: callIdSchema };

// Session events
export const registeringEventSchema = z.object({ event: z.literal('registering'), ...sessionScope });
export const registeredEventSchema = z.object({ event: z.literal('registered'), ...sessionScope });
export const registrationFailedEventSchema = z.object({
  event: z.literal('registration_failed'),
  ...sessionScope,
  code: errorCodeSchema,
  reason: reasonSchema,
});
export const unregisteringEventSchema = z.object({ event: z.literal('unregistering'), ...sessionScope });
export const unregisteredEventSchema = z.object({ event: z.literal('unregistered'), ...sessionScope });

/**
 * `error` at any scope: session (no line), line (line), call (line and call_id). Note: the Flutter app
 * tries the line reading before the session one, so a session error reaches it as a guest-line error.
 */
export const errorEventSchema = z
  .object({
    event: z.literal('error'),
    ...sessionScope,
    line: lineSchema.optional(),
    call_id: callIdSchema.optional(),
    code: errorCodeSchema,
    reason: reasonSchema,
  })
  .refine((event) => event.call_id === undefined || event.line !== undefined, {
    message: 'a call error carries line as well as call_id',
    path: ['line'],
  });

// Line events
export const iceWebrtcUpEventSchema = z.object({ event: z.literal('ice_webrtcup'), ...lineScope });
/** Both clients read `type` and require `mid`; `media` is sent too, as for ice_slowlink. */
export const iceMediaEventSchema = z.object({
  event: z.literal('ice_media'),
  ...lineScope,
  type: mediaKindSchema,
  media: mediaKindSchema,
  receiving: z.boolean(),
  mid: z.string(),
});
/** Both clients read `media` (the docs say `type`) and require `mid`; both keys are sent. */
export const iceSlowlinkEventSchema = z.object({
  event: z.literal('ice_slowlink'),
  ...lineScope,
  uplink: z.boolean(),
  lost: z.int().min(0),
  type: mediaKindSchema,
  media: mediaKindSchema,
  mid: z.string(),
});
export const iceHangupEventSchema = z.object({
  event: z.literal('ice_hangup'),
  ...lineScope,
  reason: z.string().optional(),
});
/** Server-side candidate (unused while Janus is half-trickle); both clients know it. Never null on the wire. */
export const iceTrickleEventSchema = z.object({
  event: z.literal('ice_trickle'),
  ...lineScope,
  candidate: z.union([iceCandidatesCompletedSchema, iceCandidateSchema]),
});
/** An incoming REFER. `refer_id` is a string: both clients require one (the docs say number). */
export const transferEventSchema = z.object({
  event: z.literal('transfer'),
  ...lineScope,
  refer_id: z.string().min(1),
  refer_to: z.string(),
  referred_by: z.string().optional(),
  replace_call_id: callIdSchema.optional(),
});

// Call events
const offeredCall = {
  callee: z.string(),
  caller: z.string(),
  caller_display_name: z.string().optional(),
  referred_by: z.string().optional(),
  replace_call_id: callIdSchema.optional(),
  is_focus: z.boolean().optional(),
  jsep: jsepSchema.optional(),
};
export const incomingCallEventSchema = z.object({
  event: z.literal('incoming_call'),
  ...callScope,
  ...offeredCall,
});
/** All lines busy: the INVITE was refused with 486 and the user is told. */
export const missedCallEventSchema = z.object({
  event: z.literal('missed_call'),
  ...callScope,
  callee: z.string(),
  caller: z.string(),
  caller_display_name: z.string().optional(),
});
export const callingEventSchema = z.object({ event: z.literal('calling'), ...callScope });
export const ringingEventSchema = z.object({ event: z.literal('ringing'), ...callScope });
export const proceedingEventSchema = z.object({
  event: z.literal('proceeding'),
  ...callScope,
  code: z.int(),
});
/** Early media. The Flutter app requires `callee` and `jsep`. */
export const progressEventSchema = z.object({
  event: z.literal('progress'),
  ...callScope,
  callee: z.string(),
  is_focus: z.boolean().optional(),
  jsep: jsepSchema,
});
export const acceptingEventSchema = z.object({ event: z.literal('accepting'), ...callScope });
/** `callee` matters on resume: the Flutter app restores an outgoing call's peer from it. */
export const acceptedEventSchema = z.object({
  event: z.literal('accepted'),
  ...callScope,
  callee: z.string().optional(),
  is_focus: z.boolean().optional(),
  jsep: jsepSchema.optional(),
});
/** A re-INVITE from the peer; the Flutter app requires `callee` and `caller` like incoming_call. */
export const updatingCallEventSchema = z.object({
  event: z.literal('updating_call'),
  ...callScope,
  ...offeredCall,
});
export const updatingEventSchema = z.object({ event: z.literal('updating'), ...callScope });
export const updatedEventSchema = z.object({ event: z.literal('updated'), ...callScope });
export const holdingEventSchema = z.object({ event: z.literal('holding'), ...callScope });
export const resumingEventSchema = z.object({ event: z.literal('resuming'), ...callScope });
export const hangingupEventSchema = z.object({ event: z.literal('hangingup'), ...callScope });
/** `refer_id` is an integer here: the Flutter app reads it as `int?` (unlike the `transfer` event). */
export const decliningEventSchema = z.object({
  event: z.literal('declining'),
  ...callScope,
  code: z.int(),
  refer_id: z.int().optional(),
});
export const transferringEventSchema = z.object({ event: z.literal('transferring'), ...callScope });
/** A SIP NOTIFY, e.g. the progress of a REFER (`notify: "refer"`, content `SIP/2.0 180 Ringing`). */
export const notifyEventSchema = z.object({
  event: z.literal('notify'),
  ...callScope,
  notify: z.string().optional(),
  subscription_state: subscriptionStateSchema.optional(),
  content_type: z.string().optional(),
  content: z.string(),
});
/** The call ended. `reason` is a string in both clients (the docs say number); 200 for a normal BYE. */
export const hangupEventSchema = z.object({
  event: z.literal('hangup'),
  ...callScope,
  code: z.int(),
  reason: reasonSchema,
});

export const sessionEventSchemas = {
  registering: registeringEventSchema,
  registered: registeredEventSchema,
  registration_failed: registrationFailedEventSchema,
  unregistering: unregisteringEventSchema,
  unregistered: unregisteredEventSchema,
} as const;

export const lineEventSchemas = {
  ice_webrtcup: iceWebrtcUpEventSchema,
  ice_media: iceMediaEventSchema,
  ice_slowlink: iceSlowlinkEventSchema,
  ice_hangup: iceHangupEventSchema,
  ice_trickle: iceTrickleEventSchema,
  transfer: transferEventSchema,
} as const;

export const callEventSchemas = {
  incoming_call: incomingCallEventSchema,
  missed_call: missedCallEventSchema,
  calling: callingEventSchema,
  ringing: ringingEventSchema,
  proceeding: proceedingEventSchema,
  progress: progressEventSchema,
  accepting: acceptingEventSchema,
  accepted: acceptedEventSchema,
  updating_call: updatingCallEventSchema,
  updating: updatingEventSchema,
  updated: updatedEventSchema,
  holding: holdingEventSchema,
  resuming: resumingEventSchema,
  hangingup: hangingupEventSchema,
  declining: decliningEventSchema,
  transferring: transferringEventSchema,
  notify: notifyEventSchema,
  hangup: hangupEventSchema,
} as const;

export const eventSchemas = {
  ...sessionEventSchemas,
  ...lineEventSchemas,
  ...callEventSchemas,
  error: errorEventSchema,
} as const;

export type SessionEventName = keyof typeof sessionEventSchemas;
export type LineEventName = keyof typeof lineEventSchemas;
export type CallEventName = keyof typeof callEventSchemas;
export type EventName = keyof typeof eventSchemas;
export const EVENT_NAMES = Object.keys(eventSchemas) as readonly EventName[];

export type SessionEvent = z.infer<(typeof sessionEventSchemas)[SessionEventName]>;
export type LineEvent = z.infer<(typeof lineEventSchemas)[LineEventName]>;
export type CallEvent = z.infer<(typeof callEventSchemas)[CallEventName]>;
export type ErrorEvent = z.infer<typeof errorEventSchema>;
export type ServerEvent = SessionEvent | LineEvent | CallEvent | ErrorEvent;
export type ServerEventOf<N extends EventName> = Extract<ServerEvent, { event: N }>;

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(eventSchemas, name);
}
