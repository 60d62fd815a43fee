import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { type KeyObject } from 'node:crypto';
import { verifyJwt } from './provider-credentials.js';

/** What the double answers to a send for a token; `success` is the default. */
export type FcmScriptedAnswer =
  | 'success'
  | 'unregistered'
  | 'invalid_token_argument'
  | { readonly status: 429 | 500 | 503; readonly retryAfter?: string };

export interface FcmReceivedMessage {
  readonly projectId: string;
  readonly message: {
    readonly token: string;
    readonly data: Record<string, string>;
    readonly android?: { priority?: string; ttl?: string };
  };
}

/**
 * Contract double of Google's OAuth2 token endpoint and FCM HTTP v1 `messages:send`, as documented:
 * - `POST /token`: form `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`; the JWT
 *   must be RS256-signed by the service account's key, with `iss` = client email, `aud` = this URL,
 *   `scope` containing firebase.messaging, `exp` ≤ `iat` + 1 h. Answers `{access_token, expires_in,
 *   token_type}` or 400 `invalid_grant`.
 * - `POST /v1/projects/<id>/messages:send`: `Authorization: Bearer <access token it issued>` (else 401
 *   UNAUTHENTICATED), JSON `{message:{token, data}}` with string data values only and no reserved keys
 *   (else 400 INVALID_ARGUMENT), then the scripted answer: `{name}`, 404 UNREGISTERED, 400
 *   INVALID_ARGUMENT on `message.token`, or 429/5xx with `Retry-After`.
 * Every accepted message and every refusal is recorded for the test to read.
 */
export class FcmContractDouble {
  readonly received: FcmReceivedMessage[] = [];
  readonly refusals: string[] = [];
  tokenRequests = 0;
  private readonly accessTokens = new Set<string>();
  private readonly scripts = new Map<string, FcmScriptedAnswer[]>();
  private server: http.Server | undefined;
  private origin = '';

  constructor(
    private readonly serviceAccountKey: KeyObject,
    private readonly clientEmail: string,
  ) {}

  get baseUrl(): string {
    return this.origin;
  }

  get tokenUrl(): string {
    return `${this.origin}/token`;
  }

  /** Answers for the next sends to `token`, in order; after them, success. */
  script(token: string, answers: readonly FcmScriptedAnswer[]): void {
    this.scripts.set(token, [...answers]);
  }

  /** Every message delivered to `token`. */
  messagesTo(token: string): FcmReceivedMessage[] {
    return this.received.filter((entry) => entry.message.token === token);
  }

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => {
      void this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server === undefined ? resolve() : this.server.close(() => resolve()),
    );
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', this.origin);
    if (request.method === 'POST' && url.pathname === '/token') return this.token(request, body, response);
    const send = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(url.pathname);
    if (request.method === 'POST' && send !== null)
      return this.send(decodeURIComponent(send[1] as string), request, body, response);
    response.writeHead(404).end();
  }

  private token(request: http.IncomingMessage, body: string, response: http.ServerResponse): void {
    this.tokenRequests += 1;
    const refuse = (why: string) => {
      this.refusals.push(`token: ${why}`);
      json(response, 400, { error: 'invalid_grant', error_description: why });
    };
    if (!String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded'))
      return refuse('not a form');
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return refuse('grant_type');
    let claims: Record<string, unknown>;
    try {
      claims = verifyJwt(form.get('assertion') ?? '', this.serviceAccountKey, 'RS256').claims;
    } catch (error) {
      return refuse(`assertion: ${(error as Error).message}`);
    }
    const now = Math.floor(Date.now() / 1000);
    if (claims['iss'] !== this.clientEmail) return refuse('iss');
    if (claims['aud'] !== this.tokenUrl) return refuse('aud');
    if (!String(claims['scope']).split(' ').includes('https://www.googleapis.com/auth/firebase.messaging'))
      return refuse('scope');
    const iat = Number(claims['iat']);
    const exp = Number(claims['exp']);
    if (!(iat <= now + 60 && exp > now && exp - iat <= 3600)) return refuse('iat/exp');
    const accessToken = `ya29.${randomUUID()}`;
    this.accessTokens.add(accessToken);
    json(response, 200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' });
  }

  private send(
    projectId: string,
    request: http.IncomingMessage,
    body: string,
    response: http.ServerResponse,
  ): void {
    const auth = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    if (auth === null || !this.accessTokens.has(auth[1] as string)) {
      this.refusals.push('send: no valid access token');
      return json(
        response,
        401,
        fcmError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'),
      );
    }
    const invalid = (why: string) => {
      this.refusals.push(`send: ${why}`);
      json(response, 400, fcmError(400, 'INVALID_ARGUMENT', why));
    };
    if (!String(request.headers['content-type']).startsWith('application/json'))
      return invalid('content-type');
    let parsed: { message?: { token?: unknown; data?: unknown; android?: unknown } };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      return invalid('body is not JSON');
    }
    const message = parsed.message;
    if (typeof message !== 'object' || message === null || typeof message.token !== 'string')
      return invalid('message.token');
    const data = message.data;
    if (typeof data !== 'object' || data === null) return invalid('message.data');
    for (const [key, value] of Object.entries(data)) {
      if (typeof value !== 'string') return invalid(`message.data.${key} is not a string`);
      if (key === 'from' || key === 'message_type' || key.startsWith('google.') || key.startsWith('gcm.')) {
        return invalid(`message.data.${key} is a reserved key`);
      }
    }
    const android = message.android as { priority?: unknown } | undefined;
    if (android !== undefined && !['high', 'normal', 'HIGH', 'NORMAL'].includes(String(android.priority))) {
      return invalid('message.android.priority');
    }
    const scripted = this.scripts.get(message.token)?.shift() ?? 'success';
    if (scripted === 'unregistered') {
      return json(response, 404, {
        error: {
          code: 404,
          message: 'Requested entity was not found.',
          status: 'NOT_FOUND',
          details: [
            { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' },
          ],
        },
      });
    }
    if (scripted === 'invalid_token_argument') {
      return json(response, 400, {
        error: {
          code: 400,
          message: 'The registration token is not a valid FCM registration token',
          status: 'INVALID_ARGUMENT',
          details: [
            { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'INVALID_ARGUMENT' },
            {
              '@type': 'type.googleapis.com/google.rpc.BadRequest',
              fieldViolations: [{ field: 'message.token', description: 'Invalid registration token' }],
            },
          ],
        },
      });
    }
    if (scripted !== 'success') {
      const headers: Record<string, string> =
        scripted.retryAfter === undefined ? {} : { 'retry-after': scripted.retryAfter };
      const status =
        scripted.status === 429 ? 'RESOURCE_EXHAUSTED' : scripted.status === 503 ? 'UNAVAILABLE' : 'INTERNAL';
      const errorCode =
        scripted.status === 429 ? 'QUOTA_EXCEEDED' : scripted.status === 503 ? 'UNAVAILABLE' : 'INTERNAL';
      return json(
        response,
        scripted.status,
        {
          error: {
            code: scripted.status,
            message: 'try again later',
            status,
            details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }],
          },
        },
        headers,
      );
    }
    this.received.push({ projectId, message: message as FcmReceivedMessage['message'] });
    json(response, 200, { name: `projects/${projectId}/messages/${randomUUID()}` });
  }
}

function fcmError(code: number, status: string, message: string): unknown {
  return { error: { code, message, status } };
}

function json(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response
    .writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers })
    .end(JSON.stringify(body));
}
