import { type KeyObject } from 'node:crypto';
import { signJwt } from '../jwt.js';

/**
 * Apple refuses provider tokens older than one hour and answers `TooManyProviderTokenUpdates` to a new
 * one more often than every 20 minutes: sign once, reuse for 50 minutes.
 */
export const APNS_TOKEN_REUSE_MS = 50 * 60_000;

/** The APNs provider token: an ES256 JWT with `kid` = key id, `iss` = team id, `iat`. */
export class ApnsProviderToken {
  private cached: { jwt: string; issuedAtMs: number } | undefined;

  constructor(
    private readonly key: KeyObject,
    private readonly keyId: string,
    private readonly teamId: string,
    private readonly now: () => number = Date.now,
  ) {}

  current(): string {
    const now = this.now();
    if (this.cached === undefined || now - this.cached.issuedAtMs >= APNS_TOKEN_REUSE_MS) {
      const jwt = signJwt(
        'ES256',
        this.key,
        { kid: this.keyId },
        { iss: this.teamId, iat: Math.floor(now / 1000) },
      );
      this.cached = { jwt, issuedAtMs: now };
    }
    return this.cached.jwt;
  }

  /** APNs said `ExpiredProviderToken`: sign a new one on the next request. */
  invalidate(): void {
    this.cached = undefined;
  }
}
