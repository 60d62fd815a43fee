import { type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { PushAuthError, PushCredentialsError } from '../../app/errors.js';
import { privateKeyFromPem, signJwt } from '../jwt.js';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** The fields of a Google service-account key file (JSON) that the OAuth2 flow uses. */
const serviceAccountSchema = z.object({
  type: z.literal('service_account'),
  project_id: z.string().min(1),
  private_key_id: z.string().min(1),
  private_key: z.string().min(1),
  client_email: z.string().min(1),
  token_uri: z.string().url().optional(),
});

export interface ServiceAccount {
  readonly projectId: string;
  readonly clientEmail: string;
  readonly privateKeyId: string;
  readonly privateKey: KeyObject;
  readonly tokenUri: string | undefined;
}

/** Parses a service-account key file's JSON; errors name the missing fields, never the key. */
export function parseServiceAccount(json: string): ServiceAccount {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (cause) {
    throw new PushCredentialsError('the FCM service account is not JSON', { cause });
  }
  const result = serviceAccountSchema.safeParse(parsed);
  if (!result.success) {
    const fields = result.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
    throw new PushCredentialsError(`the FCM service account lacks or has bad fields: ${fields}`);
  }
  const account = result.data;
  return {
    projectId: account.project_id,
    clientEmail: account.client_email,
    privateKeyId: account.private_key_id,
    privateKey: privateKeyFromPem(account.private_key, 'rsa', 'the FCM service account private_key'),
    tokenUri: account.token_uri,
  };
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
});

/** Renew this long before the access token expires, so a send never carries one about to lapse. */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * OAuth2 access tokens for FCM from a service account (Google's "JWT bearer" grant): a JWT signed RS256
 * with the account's key is exchanged at the token endpoint; the access token is cached until five
 * minutes before it expires, and one request at a time renews it.
 */
export class FcmAccessTokens {
  private cached: { token: string; expiresAtMs: number } | undefined;
  private renewing: Promise<string> | undefined;

  constructor(
    private readonly account: ServiceAccount,
    private readonly tokenUrl: string,
    private readonly now: () => number = Date.now,
  ) {}

  async current(): Promise<string> {
    if (this.cached !== undefined && this.now() < this.cached.expiresAtMs - RENEW_BEFORE_EXPIRY_MS) {
      return this.cached.token;
    }
    this.renewing ??= this.fetchToken().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  /** Forget the cached token (FCM answered 401): the next `current()` fetches a new one. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const issuedAt = Math.floor(this.now() / 1000);
    const assertion = signJwt(
      'RS256',
      this.account.privateKey,
      { typ: 'JWT', kid: this.account.privateKeyId },
      {
        iss: this.account.clientEmail,
        scope: FCM_SCOPE,
        aud: this.tokenUrl,
        iat: issuedAt,
        exp: issuedAt + 3600,
      },
    );
    let response: Response;
    try {
      response = await fetch(this.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (cause) {
      throw new PushAuthError('the OAuth2 token endpoint for FCM is unreachable', true, { cause });
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const code = (body as { error?: unknown } | undefined)?.error;
      throw new PushAuthError(
        `the OAuth2 token endpoint refused the FCM service account: HTTP ${response.status}${typeof code === 'string' ? ` ${code}` : ''}`,
        response.status === 429 || response.status >= 500,
      );
    }
    const parsed = tokenResponseSchema.safeParse(body);
    if (!parsed.success)
      throw new PushAuthError('the OAuth2 token endpoint answered without an access token', true);
    this.cached = {
      token: parsed.data.access_token,
      expiresAtMs: this.now() + parsed.data.expires_in * 1000,
    };
    return parsed.data.access_token;
  }
}
