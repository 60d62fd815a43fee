import { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type ServiceLogger } from '@ringbus/service-kit';
import { type z } from 'zod';
import { type ApiCaller } from '../../app/client-api.js';
import { apiErrors, ClientApiError } from '../../app/client-api-errors.js';
import { RequestRateLimit } from '../../domain/request-rate-limit.js';
import { type ApiRoute } from './api-routes.js';
import { OPENAPI_PATH } from './openapi.js';

export interface ClientApiServerOptions {
  readonly routes: readonly ApiRoute[];
  /** Served at `/api/v1/openapi.json`. */
  readonly document: Readonly<Record<string, unknown>>;
  /** The tenant of sign-in on the plain `/api/...` paths. */
  readonly defaultTenant: string;
  readonly maxBodyBytes: number;
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  readonly signInRateLimit: { readonly perMinute: number; readonly burst: number };
  /** The session of a token; `tenant` null: the token's own tenant (the plain path). */
  readonly authorize: (token: string, tenant: string | null) => Promise<ApiCaller>;
  readonly logger: ServiceLogger;
  readonly clock: () => number;
}

const PREFIXES = ['/api', '/tenant/:tenantId/api'] as const;
const TENANT = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_TRACKED_CLIENTS = 100_000;

interface RawRequestParts {
  readonly params: Record<string, string>;
}

/** The tenant the path names (`/tenant/<tenantId>/api`), or null on the plain `/api`. */
function pathTenantOf(request: FastifyRequest): string | null {
  const tenant = (request.params as RawRequestParts['params'] | undefined)?.['tenantId'];
  if (tenant === undefined) return null;
  if (!TENANT.test(tenant))
    throw new ClientApiError('tenant_invalid', 404, 'no such tenant here', false, {
      details: { path: 'tenantId', reason: 'invalid' },
    });
  return tenant;
}

function bearerTokenOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (header === undefined || header === '') throw apiErrors.authorizationHeaderMissing();
  const match = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  if (match?.[1] === undefined) throw apiErrors.bearerCredentialsMissing();
  return match[1];
}

/** Parses one part of the request against its schema; a miss names the first offending field. */
function validated(schema: z.ZodType | undefined, value: unknown, part: 'path' | 'query' | 'body'): unknown {
  if (schema === undefined) return undefined;
  const result = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? part : [part, ...issue.path].join('.');
  // zod names keys and expected types, never the value sent (which could be a password).
  const reason =
    issue?.code === 'unrecognized_keys'
      ? `unknown field(s): ${issue.keys.join(', ')}`
      : (issue?.message ?? 'invalid');
  throw new ClientApiError('validation_error', 422, `${field}: ${reason}`, false, {
    details: { path: field, reason },
  });
}

function withoutTenant(params: unknown): Record<string, string> {
  const { tenantId: _tenant, ...rest } = (params ?? {}) as Record<string, string>;
  return rest;
}

/** Fastify's own refusals (body parsing and limits) as typed API errors. */
function translateFastifyError(error: FastifyError): ClientApiError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ClientApiError('body_too_large', 413, 'the request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ClientApiError('unsupported_media_type', 415, 'send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ClientApiError('malformed_json', 400, 'the body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ClientApiError('bad_request', 400, 'the Content-Length does not match the body');
    default:
      if (error instanceof SyntaxError || (error.statusCode === 400 && error.code === undefined))
        return new ClientApiError('malformed_json', 400, 'the body is not valid JSON');
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)
        return new ClientApiError('bad_request', error.statusCode, 'the request could not be read');
      return undefined;
  }
}

/**
 * The REST API on the service's Fastify instance (beside Nest's routes and the WebSocket upgrade): every
 * route under `/api` (the default tenant) and `/tenant/<tenantId>/api`. Per request, in order: the rate
 * limit per client address (429 + Retry-After, before the body is read), the body limit (413), the
 * session token of private routes (401), the route's schemas (422, unknown fields refused), the handler.
 * Every error leaves as `{code, message, details?}`.
 */
export function mountClientApi(fastify: FastifyInstance, options: ClientApiServerOptions): void {
  // An encapsulated context: its JSON parser is the API's own, Nest's routes keep theirs.
  void fastify.register((scope, _pluginOptions, done) => {
    useApiJsonParser(scope);
    registerRoutes(scope, options);
    done();
  });
}

/**
 * The public clients send `Content-Type: application/json` on every request, bodiless GETs and DELETEs
 * included: an empty body is no body here (a route that needs one says so with 422), not a parse error.
 */
function useApiJsonParser(scope: FastifyInstance): void {
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      // `__proto__` keys are dropped rather than trusted to later checks.
      done(
        null,
        JSON.parse(text, (key, value: unknown) => (key === '__proto__' ? undefined : value)),
      );
    } catch {
      done(new ClientApiError('malformed_json', 400, 'the body is not valid JSON'), undefined);
    }
  });
}

function registerRoutes(fastify: FastifyInstance, options: ClientApiServerOptions): void {
  const requests = new RequestRateLimit({
    ratePerSecond: options.rateLimit.perSecond,
    burst: options.rateLimit.burst,
    maxKeys: MAX_TRACKED_CLIENTS,
  });
  const signIns = new RequestRateLimit({
    ratePerSecond: options.signInRateLimit.perMinute / 60,
    burst: options.signInRateLimit.burst,
    maxKeys: MAX_TRACKED_CLIENTS,
  });

  const limitRate = (signIn: boolean) => async (request: FastifyRequest) => {
    const now = options.clock();
    for (const limit of signIn ? [requests, signIns] : [requests]) {
      const verdict = limit.admit(request.ip, now);
      if (!verdict.admitted) {
        throw new ClientApiError('too_many_requests', 429, 'too many requests: slow down', true, {
          retryAfterSeconds: Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)),
        });
      }
    }
  };

  const errorHandler = (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    let apiError = error instanceof ClientApiError ? error : translateFastifyError(error as FastifyError);
    if (apiError === undefined) {
      options.logger.error({ err: error, route: request.routeOptions.url }, 'REST request failed');
      apiError = new ClientApiError('internal_error', 500, 'the server failed: try again later', true);
    } else if (apiError.httpStatus >= 500) {
      options.logger.warn({ err: apiError, route: request.routeOptions.url }, 'REST request not served');
    }
    if (apiError.extra.retryAfterSeconds !== undefined)
      void reply.header('retry-after', String(apiError.extra.retryAfterSeconds));
    const body = {
      code: apiError.code,
      message: apiError.message,
      ...(apiError.extra.details === undefined ? {} : { details: apiError.extra.details }),
    };
    void reply.code(apiError.httpStatus).header('cache-control', 'no-store').send(body);
  };

  for (const route of options.routes) {
    for (const prefix of PREFIXES) {
      fastify.route({
        method: route.method,
        url: `${prefix}${route.path}`,
        bodyLimit: options.maxBodyBytes,
        onRequest: limitRate(route.signIn),
        errorHandler,
        handler: async (request, reply) => {
          const pathTenant = pathTenantOf(request);
          // Private routes on the plain path serve the session's own tenant (as the plain signaling path
          // does); public ones (sign-in) the default tenant.
          const caller = route.auth ? await options.authorize(bearerTokenOf(request), pathTenant) : undefined;
          const tenant = caller?.tenant ?? pathTenant ?? options.defaultTenant;
          const params = validated(route.params, withoutTenant(request.params), 'path');
          const query = validated(route.query, request.query, 'query');
          const body = validated(route.body, request.body, 'body');
          const result = await route.handle({ tenant, caller, params, query, body });
          void reply.code(route.success.status).header('cache-control', 'no-store');
          return route.success.schema === undefined ? reply.send() : reply.send(result);
        },
      });
    }
  }

  for (const prefix of PREFIXES) {
    fastify.route({
      method: 'GET',
      url: `${prefix}${OPENAPI_PATH}`,
      onRequest: limitRate(false),
      errorHandler,
      handler: async (request, reply) => {
        pathTenantOf(request);
        return reply.send(options.document);
      },
    });
    // Anything else below the API answers in the API's own error shape.
    fastify.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: `${prefix}/*`,
      bodyLimit: options.maxBodyBytes,
      onRequest: limitRate(false),
      errorHandler,
      handler: () => {
        throw new ClientApiError('not_found', 404, 'no such endpoint: see /api/v1/openapi.json');
      },
    });
  }
}
