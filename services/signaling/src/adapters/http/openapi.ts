import { z } from 'zod';
import { apiErrorSchema } from './api-schemas.js';
import { type ApiRoute } from './api-routes.js';

/** Where the document is served, below `/api`. */
export const OPENAPI_PATH = '/v1/openapi.json';

const COMMON_ERRORS: Readonly<Record<number, string>> = {
  400: 'malformed request (`validation_error`, `malformed_json`)',
  401: 'no valid session (`authorization_header_missing`, `token_invalid`, `token_expired`, `session_missing`)',
  403: 'forbidden',
  404: 'not found',
  413: 'body too large',
  415: 'not JSON',
  422: 'refused content',
  429: 'too many requests: see `Retry-After`',
  503: 'a dependency is unavailable: try again',
};

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
  delete json['$schema'];
  return json;
}

/** `/v1/user/contacts/:contactId` -> `/v1/user/contacts/{contactId}` */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parametersOf(route: ApiRoute, tenantScoped: boolean): JsonSchema[] {
  const parameters: JsonSchema[] = [];
  if (tenantScoped)
    parameters.push({ name: 'tenantId', in: 'path', required: true, schema: { type: 'string' } });
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (schema === undefined) continue;
    const json = schemaOf(schema, 'input');
    const properties = (json['properties'] ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json['required'] ?? []) as string[]);
    for (const [name, property] of Object.entries(properties))
      parameters.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        schema: property,
      });
  }
  return parameters;
}

function operationOf(route: ApiRoute, tenantScoped: boolean): JsonSchema {
  const responses: Record<string, JsonSchema> = {
    [String(route.success.status)]:
      route.success.schema === undefined
        ? { description: route.success.description }
        : {
            description: route.success.description,
            content: { 'application/json': { schema: schemaOf(route.success.schema, 'output') } },
          },
  };
  const errorStatuses = new Set([400, 429, ...route.errors]);
  if (route.auth) errorStatuses.add(401);
  if (route.body !== undefined) for (const status of [413, 415, 422]) errorStatuses.add(status);
  for (const status of [...errorStatuses].sort())
    responses[String(status)] = {
      description: COMMON_ERRORS[status] ?? 'error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  return {
    operationId: tenantScoped ? `${route.operationId}ForTenant` : route.operationId,
    summary: route.summary,
    ...(route.auth ? { security: [{ sessionToken: [] }] } : {}),
    parameters: parametersOf(route, tenantScoped),
    ...(route.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
          },
        }),
    responses,
  };
}

/**
 * The OpenAPI 3.1 document of the REST API, made from the routes' own zod schemas (the ones that validate
 * the requests), each route under `/api` and `/tenant/{tenantId}/api`.
 */
export function openApiDocument(routes: readonly ApiRoute[], version: string): JsonSchema {
  const documentRoute: ApiRoute = {
    method: 'GET',
    path: OPENAPI_PATH,
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    auth: false,
    signIn: false,
    params: undefined,
    query: undefined,
    body: undefined,
    success: {
      status: 200,
      description: 'the OpenAPI 3.1 document',
      schema: z.record(z.string(), z.unknown()),
    },
    errors: [],
    handle: () => Promise.reject(new Error('not a handler')),
  };
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of [...routes, documentRoute]) {
    for (const [prefix, tenantScoped] of [
      ['/api', false],
      ['/tenant/{tenantId}/api', true],
    ] as const) {
      const path = `${prefix}${openApiPath(route.path)}`;
      paths[path] ??= {};
      paths[path][route.method.toLowerCase()] = operationOf(route, tenantScoped);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Ringbus client REST API',
      version,
      description:
        'The WebTrit-compatible REST API of Ringbus signaling (docs/api.md). `/api/...` serves the default ' +
        'tenant; `/tenant/{tenantId}/api/...` any tenant.',
    },
    paths,
    components: {
      schemas: { Error: schemaOf(apiErrorSchema, 'output') },
      securitySchemes: {
        sessionToken: { type: 'http', scheme: 'bearer', description: 'from POST /session' },
      },
    },
  };
}
