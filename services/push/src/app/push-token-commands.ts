import { z } from 'zod';
import { PUSH_TOKEN_KINDS, type PushToken, type PushTokenKey } from '../domain/push-token.js';
import { type CommandPayloadProblem, InvalidPushTokenCommandError } from './errors.js';
import { type PushTokenRegistry } from './ports.js';

const tenant = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, `.`, `_` or `-`');
const userId = z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters');
const kind = z.enum(PUSH_TOKEN_KINDS, { error: `must be one of ${PUSH_TOKEN_KINDS.join(', ')}` });
// FCM registration tokens are opaque (about 150-200 characters); APNs device tokens are hex (64 today).
const token = z
  .string()
  .min(1, 'must not be empty')
  .max(4096, 'must be at most 4096 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
const HEX_TOKEN = /^[0-9a-fA-F]{32,200}$/;

const keyFields = { tenant, userId, kind, token };

function apnsTokensAreHex(value: { kind: string; token: string }, context: z.RefinementCtx): void {
  if (value.kind !== 'fcm' && !HEX_TOKEN.test(value.token)) {
    context.addIssue({ code: 'custom', path: ['token'], message: 'must be an APNs device token in hex' });
  }
}

/** `ringbus.push.tokens.register`: a device token of a user, as the app sent it to signaling. */
export const registerPushTokenSchema = z
  .object({
    ...keyFields,
    /** iOS bundle id / Android application id; empty or absent: the service's configured default. */
    appId: z
      .string()
      .regex(/^[A-Za-z0-9.-]{0,155}$/, 'must be a bundle or application id (letters, digits, `.`, `-`)')
      .default(''),
  })
  .strict()
  .superRefine(apnsTokensAreHex);

/** `ringbus.push.tokens.unregister`: the app logged out or replaced the token. */
export const unregisterPushTokenSchema = z.object(keyFields).strict().superRefine(apnsTokensAreHex);

export type RegisterPushToken = z.input<typeof registerPushTokenSchema>;
export type UnregisterPushToken = z.input<typeof unregisterPushTokenSchema>;

export interface RegisterPushTokenResult {
  readonly registered: true;
  /** False when the same token was already registered for this user (the command is idempotent). */
  readonly created: boolean;
}

export interface UnregisterPushTokenResult {
  /** False when there was no such registration (the command is idempotent). */
  readonly removed: boolean;
}

function parsed<T>(command: string, schema: z.ZodType<T>, payload: unknown): T {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const problems: CommandPayloadProblem[] = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(payload)',
    // zod's messages for unknown keys and types name keys and types, never the values.
    problem: issue.message,
  }));
  throw new InvalidPushTokenCommandError(command, problems);
}

/** Validates and runs the token commands; a bad payload is `InvalidPushTokenCommandError`. */
export class PushTokenCommands {
  constructor(private readonly registry: PushTokenRegistry) {}

  async register(payload: unknown): Promise<RegisterPushTokenResult> {
    const command: PushToken = parsed('register push token', registerPushTokenSchema, payload);
    const { created } = await this.registry.register(command);
    return { registered: true, created };
  }

  async unregister(payload: unknown): Promise<UnregisterPushTokenResult> {
    const command: PushTokenKey = parsed('unregister push token', unregisterPushTokenSchema, payload);
    return { removed: await this.registry.unregister(command) };
  }
}
