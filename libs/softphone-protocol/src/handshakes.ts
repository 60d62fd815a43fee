import { z } from 'zod';
import { callEventSchemas } from './events.js';
import { callRequestSchemas } from './requests.js';
import { ackResponseSchema, errorResponseSchema } from './responses.js';
import {
  callIdSchema,
  errorCodeSchema,
  reasonSchema,
  registrationStatusSchema,
  transactionSchema,
  type JsonValue,
} from './wire-values.js';

/**
 * Keep-alive, sent by the client each `keepalive_interval` and echoed by the server as received (extra
 * keys such as `timestamp` included). Both public clients send a `transaction` and wait for its echo;
 * WebTrit's docs also allow a bare `{"handshake":"keepalive"}`.
 */
export const keepaliveHandshakeSchema = z.looseObject({
  handshake: z.literal('keepalive'),
  // Anything, null included: a keep-alive is never refused, only echoed.
  transaction: z.custom<JsonValue>((value) => value !== undefined).optional(),
});
export type KeepaliveHandshake = z.infer<typeof keepaliveHandshakeSchema>;

/*
 * A call log entry is `[<ms>, <record>]`, the record being a call request, a response or a call event
 * WITHOUT `line` and `call_id`: the Flutter app injects both from the slot before parsing. Only call
 * requests (not ice_trickle, presence_update nor Ringbus's dtmf) and call events (not line or session
 * events) may appear: anything else makes the Flutter app reject the whole `state` handshake.
 * Logged requests keep their `transaction`, which the Flutter app requires there.
 */
const unscoped = { line: true, call_id: true } as const;
const loggedRequestSchema = z.discriminatedUnion('request', [
  callRequestSchemas.outgoing_call.omit(unscoped),
  callRequestSchemas.accept.omit(unscoped),
  callRequestSchemas.decline.omit(unscoped),
  callRequestSchemas.hangup.omit(unscoped),
  callRequestSchemas.hold.omit(unscoped),
  callRequestSchemas.unhold.omit(unscoped),
  callRequestSchemas.update.omit(unscoped),
  callRequestSchemas.transfer.omit(unscoped),
]);
const loggedResponseSchema = z.discriminatedUnion('response', [
  ackResponseSchema.omit(unscoped),
  errorResponseSchema.omit(unscoped),
]);
const loggedCallErrorSchema = z.object({
  event: z.literal('error'),
  transaction: transactionSchema.optional(),
  code: errorCodeSchema,
  reason: reasonSchema,
});
const loggedEventSchema = z.discriminatedUnion('event', [
  loggedCallErrorSchema,
  // Widened to one object type: the record's static type is CallLogRecord below, not the union's inference.
  ...Object.values(callEventSchemas).map((schema) => (schema as z.ZodObject<z.ZodRawShape>).omit(unscoped)),
]);

export const callLogRecordSchema = z.union([loggedRequestSchema, loggedResponseSchema, loggedEventSchema]);

type Unscoped<T> = T extends unknown ? Omit<T, 'line' | 'call_id'> : never;
export type CallLogRecord =
  | Unscoped<z.infer<(typeof callRequestSchemas)[keyof typeof callRequestSchemas]>>
  | z.infer<typeof loggedResponseSchema>
  | Unscoped<z.infer<(typeof callEventSchemas)[keyof typeof callEventSchemas]>>
  | z.infer<typeof loggedCallErrorSchema>;

export const callLogEntrySchema = z.tuple([z.int().min(0), callLogRecordSchema]);
export type CallLogEntry = readonly [timestampMs: number, record: CallLogRecord];

/**
 * A busy line. `call_logs` is NEWEST FIRST: the Flutter app takes the first entry as the latest event and
 * the last as the earliest (to tell an incoming call from an outgoing one). On resume the log must hold the
 * `incoming_call` (with its offer) of an incoming call and the `accepted` event (with `callee`).
 */
export const activeLineSchema = z.object({
  call_id: callIdSchema,
  call_logs: z.array(callLogEntrySchema),
});
export interface ActiveLine {
  readonly call_id: string;
  readonly call_logs: readonly CallLogEntry[];
}
/** A line slot: null when idle. */
export const lineSlotSchema = z.union([z.null(), activeLineSchema]);
export type LineSlot = ActiveLine | null;

export const registrationSchema = z.object({
  status: registrationStatusSchema,
  code: errorCodeSchema.optional(),
  reason: reasonSchema.optional(),
});
export type Registration = z.infer<typeof registrationSchema>;

/** Sent once, right after the socket opens; the client may not send requests before it. */
export const stateHandshakeSchema = z.object({
  handshake: z.literal('state'),
  keepalive_interval: z.int().positive(),
  timestamp: z.int().min(0),
  registration: registrationSchema,
  lines: z.array(lineSlotSchema),
  guest_line: lineSlotSchema.optional(),
});
export interface StateHandshake {
  readonly handshake: 'state';
  /** Milliseconds between the client's keep-alives. */
  readonly keepalive_interval: number;
  /** Server clock, ms since the epoch. */
  readonly timestamp: number;
  readonly registration: Registration;
  /** One slot per configured line. */
  readonly lines: readonly LineSlot[];
  readonly guest_line?: LineSlot;
}
