import { z } from 'zod';
import { callIdSchema, errorCodeSchema, lineSchema, reasonSchema, transactionSchema } from './wire-values.js';

/*
 * Every request gets exactly one response carrying its `transaction`, and `line` / `call_id` when the
 * request had them. Both public clients match responses by `transaction` only; the Vue dialer treats a
 * response for a transaction it does not know as a fatal error, so the server never invents one.
 */

const responseTarget = {
  transaction: transactionSchema,
  line: lineSchema.optional(),
  call_id: callIdSchema.optional(),
};

/** The request was accepted and its work started; results arrive later as events. */
export const ackResponseSchema = z.object({ response: z.literal('ack'), ...responseTarget });

/** The request was refused. The Flutter app requires both `code` (integer) and `reason` (string). */
export const errorResponseSchema = z.object({
  response: z.literal('error'),
  ...responseTarget,
  code: errorCodeSchema,
  reason: reasonSchema,
});

export type AckResponse = z.infer<typeof ackResponseSchema>;
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
export type SignalingResponse = AckResponse | ErrorResponse;

export const responseSchemas = { ack: ackResponseSchema, error: errorResponseSchema } as const;
