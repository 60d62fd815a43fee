import { type z } from 'zod';
import { type ApiCaller, type ClientApi } from '../../app/client-api.js';
import {
  appStatusSchema,
  contactParamsSchema,
  contactSchema,
  contactsSchema,
  healthSchema,
  historyQuerySchema,
  historySchema,
  passwordSignInSchema,
  pushTokenSchema,
  sessionTokenSchema,
  systemInfoSchema,
  userSchema,
} from './api-schemas.js';

export type HttpMethod = 'GET' | 'POST' | 'DELETE' | 'PATCH';

/** What a handler gets: the path's tenant, the caller (private routes), and the validated input. */
export interface RouteInput<P, Q, B> {
  readonly tenant: string;
  readonly caller: ApiCaller | undefined;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
}

/** One endpoint: its place, its schemas (validation and OpenAPI both come from them) and its handler. */
export interface ApiRoute {
  readonly method: HttpMethod;
  /** Below `/api` (and `/tenant/<tenantId>/api`), in Fastify's `:param` syntax. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  /** Private: needs `Authorization: Bearer <session token>`. */
  readonly auth: boolean;
  /** Counted against the stricter sign-in rate limit. */
  readonly signIn: boolean;
  readonly params: z.ZodType | undefined;
  readonly query: z.ZodType | undefined;
  readonly body: z.ZodType | undefined;
  readonly success: { readonly status: number; readonly description: string; readonly schema?: z.ZodType };
  /** Error codes this route may answer besides the common ones, for the document. */
  readonly errors: readonly number[];
  handle(input: RouteInput<unknown, unknown, unknown>): Promise<unknown>;
}

interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  readonly method: HttpMethod;
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly auth: boolean;
  readonly signIn?: boolean;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  readonly success: { readonly status: number; readonly description: string; readonly schema?: z.ZodType };
  readonly errors?: readonly number[];
  handle(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>): Promise<unknown>;
}

function route<
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
>(spec: RouteSpec<P, Q, B>): ApiRoute {
  return {
    method: spec.method,
    path: spec.path,
    operationId: spec.operationId,
    summary: spec.summary,
    auth: spec.auth,
    signIn: spec.signIn ?? false,
    params: spec.params,
    query: spec.query,
    body: spec.body,
    success: spec.success,
    errors: spec.errors ?? [],
    // The server validated the input against these very schemas before calling.
    handle: (input) => spec.handle(input as RouteInput<z.output<P>, z.output<Q>, z.output<B>>),
  };
}

function callerOf(input: { readonly caller: ApiCaller | undefined }): ApiCaller {
  if (input.caller === undefined) throw new Error('a private route ran without a caller');
  return input.caller;
}

export interface SystemInfoSource {
  systemInfo(): Promise<z.output<typeof systemInfoSchema>>;
}

/** Every endpoint of the REST API. The server mounts each under both prefixes; the document lists each once. */
export function clientApiRoutes(api: ClientApi, system: SystemInfoSource): readonly ApiRoute[] {
  return [
    route({
      method: 'GET',
      path: '/health-check',
      operationId: 'healthCheck',
      summary: 'Answers 200 while the service runs',
      auth: false,
      success: { status: 200, description: 'running', schema: healthSchema },
      handle: () => Promise.resolve({ status: 'ok' }),
    }),
    route({
      method: 'GET',
      path: '/v1/system-info',
      operationId: 'getSystemInfo',
      summary: 'Versions and the features the app may show',
      auth: false,
      success: { status: 200, description: 'system information', schema: systemInfoSchema },
      handle: () => system.systemInfo(),
    }),
    route({
      method: 'POST',
      path: '/v1/session',
      operationId: 'signInWithPassword',
      summary: 'Password sign-in: a session token for the app',
      auth: false,
      signIn: true,
      body: passwordSignInSchema,
      success: { status: 200, description: 'signed in', schema: sessionTokenSchema },
      errors: [401, 403, 404],
      handle: ({ tenant, body }) =>
        api.signIn({
          tenant,
          login: body.login,
          password: body.password,
          app: {
            type: body.type,
            identifier: body.identifier,
            ...(body.bundle_id === undefined ? {} : { bundleId: body.bundle_id }),
          },
        }),
    }),
    route({
      method: 'DELETE',
      path: '/v1/session',
      operationId: 'signOut',
      summary: 'Ends the session of the bearer token',
      auth: true,
      success: { status: 204, description: 'signed out' },
      handle: async (input) => {
        await api.signOut(callerOf(input));
        return undefined;
      },
    }),
    route({
      method: 'GET',
      path: '/v1/user',
      operationId: 'getUser',
      summary: 'The signed-in user: status, numbers, names (never SIP credentials)',
      auth: true,
      success: { status: 200, description: 'the user', schema: userSchema },
      errors: [404],
      handle: (input) => api.user(callerOf(input)),
    }),
    route({
      method: 'GET',
      path: '/v1/user/contacts',
      operationId: 'listContacts',
      summary: "The user's contacts",
      auth: true,
      success: { status: 200, description: 'the contacts', schema: contactsSchema },
      handle: (input) => api.contacts(callerOf(input)),
    }),
    route({
      method: 'GET',
      path: '/v1/user/contacts/:contactId',
      operationId: 'getContact',
      summary: 'One contact of the user',
      auth: true,
      params: contactParamsSchema,
      success: { status: 200, description: 'the contact', schema: contactSchema },
      errors: [404],
      handle: (input) => api.contact(callerOf(input), input.params.contactId),
    }),
    route({
      method: 'GET',
      path: '/v1/user/history',
      operationId: 'getCallHistory',
      summary: "The user's finished calls, newest first, paged",
      auth: true,
      query: historyQuerySchema,
      success: { status: 200, description: 'a page of calls', schema: historySchema },
      handle: (input) =>
        api.history(callerOf(input), {
          ...(input.query.time_from === undefined ? {} : { from: new Date(input.query.time_from) }),
          ...(input.query.time_to === undefined ? {} : { to: new Date(input.query.time_to) }),
          page: input.query.page,
          itemsPerPage: input.query.items_per_page,
        }),
    }),
    route({
      method: 'GET',
      path: '/v1/app/status',
      operationId: 'getAppStatus',
      summary: "The session's app status",
      auth: true,
      success: { status: 200, description: 'the app status', schema: appStatusSchema },
      handle: (input) => api.appStatus(callerOf(input)),
    }),
    route({
      method: 'PATCH',
      path: '/v1/app/status',
      operationId: 'updateAppStatus',
      summary: 'Sets whether the session keeps its SIP registration while no socket is open',
      auth: true,
      body: appStatusSchema,
      success: { status: 204, description: 'stored' },
      handle: async (input) => {
        await api.setAppStatus(callerOf(input), input.body);
        return undefined;
      },
    }),
    route({
      method: 'POST',
      path: '/v1/app/push-tokens',
      operationId: 'registerPushToken',
      summary: "Registers the app's push token (FCM, APNs, PushKit VoIP) for incoming calls",
      auth: true,
      body: pushTokenSchema,
      success: { status: 204, description: 'registered (also when it already was)' },
      errors: [503],
      handle: async (input) => {
        await api.registerPushToken(callerOf(input), input.body);
        return undefined;
      },
    }),
  ];
}
