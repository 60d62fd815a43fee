import { z } from 'zod';

/** Request and response shapes of the REST API (protocol.md §2); the OpenAPI document is made from them. */

const text = (max: number) => z.string().min(1).max(max);

export const APP_TYPES = [
  'smart',
  'web',
  'linux',
  'macos',
  'windows',
  'android',
  'android_hms',
  'ios',
] as const;
export const PUSH_TOKEN_TYPES = ['fcm', 'hms', 'apns', 'apkvoip'] as const;

export const apiErrorSchema = z.object({
  code: z.string().describe('snake_case, stable: branch on this'),
  message: z.string(),
  details: z.object({ path: z.string().optional(), reason: z.string().optional() }).optional(),
});

export const healthSchema = z.object({ status: z.literal('ok') });

export const systemInfoSchema = z.object({
  core: z.object({ version: z.string() }),
  postgres: z.object({ version: z.string() }),
  adapter: z.object({
    name: z.string(),
    version: z.string(),
    supported: z.array(z.string()),
    custom: z.record(z.string(), z.unknown()),
  }),
  janus: z.record(z.string(), z.unknown()),
});

export const passwordSignInSchema = z
  .object({
    type: z.enum(APP_TYPES),
    identifier: text(256).describe('the app installation id'),
    login: text(256),
    password: text(1024),
    bundle_id: text(155)
      .regex(/^[A-Za-z0-9.-]+$/, 'a bundle or application id: letters, digits, `.`, `-`')
      .optional(),
  })
  .strict();

export const sessionTokenSchema = z.object({ token: z.string(), user_id: z.string(), tenant_id: z.string() });

const numbersSchema = z.object({
  main: z.string().nullable(),
  ext: z.string().nullable(),
  additional: z.array(z.string()),
});

export const userSchema = z.object({
  status: z.enum(['active', 'blocked']),
  balance: z.object({
    balance_type: z.string(),
    amount: z.number(),
    credit_limit: z.number(),
    currency: z.string(),
  }),
  numbers: numbersSchema,
  email: z.string().nullable(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  alias_name: z.string().nullable(),
  company_name: z.string().nullable(),
  time_zone: z.string().nullable(),
});

export const contactSchema = z.object({
  user_id: z.string(),
  sip_status: z.enum(['registered', 'notregistered']).nullable().describe('null: not known'),
  numbers: numbersSchema,
  email: z.string().nullable(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  alias_name: z.string().nullable(),
  company_name: z.string().nullable(),
});

export const contactsSchema = z.object({ items: z.array(contactSchema) });

export const contactParamsSchema = z.object({ contactId: text(128) }).strict();

export const MAX_ITEMS_PER_PAGE = 100;

export const historyQuerySchema = z
  .object({
    time_from: z.iso.datetime({ offset: true }).optional(),
    time_to: z.iso.datetime({ offset: true }).optional(),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    items_per_page: z.coerce.number().int().min(1).max(MAX_ITEMS_PER_PAGE).default(20),
  })
  .strict();

export const historySchema = z.object({
  items: z.array(
    z.object({
      call_id: z.string(),
      caller: z.string(),
      callee: z.string(),
      direction: z.enum(['incoming', 'outgoing']),
      status: z.enum(['accepted', 'declined', 'missed', 'error']),
      connect_time: z.string().describe('the answer, or the start of a call never answered'),
      disconnect_time: z.string(),
      duration: z.number().int(),
      disconnect_reason: z.string(),
    }),
  ),
  pagination: z.object({
    page: z.number().int(),
    items_per_page: z.number().int(),
    items_total: z.number().int(),
  }),
});

export const pushTokenSchema = z
  .object({
    type: z.enum(PUSH_TOKEN_TYPES).describe('`apkvoip` is the iOS PushKit VoIP token'),
    value: text(4096).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
  })
  .strict()
  .superRefine((token, context) => {
    if ((token.type === 'apns' || token.type === 'apkvoip') && !/^[0-9a-fA-F]{32,200}$/.test(token.value))
      context.addIssue({ code: 'custom', path: ['value'], message: 'an APNs device token is hex' });
  });

export const appStatusSchema = z
  .object({ register: z.boolean().describe('keep the SIP registration while no socket is open') })
  .strict();
