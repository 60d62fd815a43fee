import { createHash, randomBytes } from 'node:crypto';
import { type Kysely } from 'kysely';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import {
  type SessionIdentity,
  type SessionRegistry,
  type SessionTokens,
  type TokenInspection,
} from '../../app/ports.js';
import { signalingDatabase, type SignalingDb } from './signaling-schema.js';

export const DEFAULT_SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

export interface SessionTokenRequest {
  readonly userId: string;
  readonly tenant: string;
  /** How long the token opens sockets (default 30 days). */
  readonly ttlMs?: number;
  /** The moment of minting (default now): tests mint tokens that are already expired. */
  readonly now?: Date;
  /** What the app said at sign-in (POST /session `type`, `identifier`, `bundle_id`). */
  readonly app?: SessionApp;
}

export interface SessionApp {
  readonly type: string;
  readonly identifier: string;
  readonly bundleId?: string;
}

export interface MintedSessionToken {
  /** Give this to the client; it is stored only as its SHA-256. */
  readonly token: string;
  readonly sessionId: string;
  readonly expiresAt: Date;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Opens a session for a user and returns its bearer token: 32 random bytes, base64url, so it goes into the
 * signaling URL unencoded (the Vue dialer does not percent-encode it). REST login will call this.
 */
export function mintSessionToken(pool: pg.Pool, request: SessionTokenRequest): Promise<MintedSessionToken> {
  return insertSession(signalingDatabase(pool), request);
}

async function insertSession(
  db: Kysely<SignalingDb>,
  request: SessionTokenRequest,
): Promise<MintedSessionToken> {
  const now = request.now ?? new Date();
  const token = randomBytes(32).toString('base64url');
  const sessionId = uuidv7();
  const expiresAt = new Date(now.getTime() + (request.ttlMs ?? DEFAULT_SESSION_TTL_MS));
  await db
    .insertInto('signaling_session')
    .values({
      id: sessionId,
      token_hash: hashToken(token),
      user_id: request.userId,
      tenant: request.tenant,
      created_at: now,
      expires_at: expiresAt,
      revoked_at: null,
      app_type: request.app?.type ?? null,
      app_identifier: request.app?.identifier ?? null,
      bundle_id: request.app?.bundleId ?? null,
    })
    .execute();
  return { token, sessionId, expiresAt };
}

/** Ends a session: its token opens no new socket (REST logout will call this). */
export async function revokeSession(pool: pg.Pool, sessionId: string, now = new Date()): Promise<void> {
  await signalingDatabase(pool)
    .updateTable('signaling_session')
    .set({ revoked_at: now })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute();
}

export class PostgresSessionTokens implements SessionTokens, SessionRegistry {
  constructor(private readonly db: Kysely<SignalingDb>) {}

  async authenticate(token: string, tenant: string | null, now: Date): Promise<SessionIdentity | undefined> {
    const row = await this.db
      .selectFrom('signaling_session')
      .select(['id', 'user_id', 'tenant'])
      .where('token_hash', '=', hashToken(token))
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (row === undefined || (tenant !== null && row.tenant !== tenant)) return undefined;
    return { sessionId: row.id, userId: row.user_id, tenant: row.tenant };
  }

  /** Opens a session (password sign-in). */
  mint(request: SessionTokenRequest): Promise<MintedSessionToken> {
    return insertSession(this.db, request);
  }

  async inspect(token: string, tenant: string | null, now: Date): Promise<TokenInspection> {
    const row = await this.db
      .selectFrom('signaling_session')
      .select(['id', 'user_id', 'tenant', 'expires_at', 'revoked_at', 'bundle_id'])
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    // Another tenant's token is as unknown here as a made-up one.
    if (row === undefined || (tenant !== null && row.tenant !== tenant)) return { status: 'unknown' };
    if (row.revoked_at !== null) return { status: 'revoked' };
    if (row.expires_at.getTime() <= now.getTime()) return { status: 'expired' };
    return {
      status: 'valid',
      identity: { sessionId: row.id, userId: row.user_id, tenant: row.tenant },
      bundleId: row.bundle_id,
    };
  }

  async appStatus(sessionId: string): Promise<{ readonly register: boolean }> {
    const row = await this.db
      .selectFrom('signaling_session')
      .select('keep_registration')
      .where('id', '=', sessionId)
      .executeTakeFirst();
    return { register: row?.keep_registration ?? false };
  }

  async setAppStatus(sessionId: string, status: { readonly register: boolean }): Promise<void> {
    await this.db
      .updateTable('signaling_session')
      .set({ keep_registration: status.register })
      .where('id', '=', sessionId)
      .execute();
  }

  async revoke(sessionId: string, now: Date): Promise<void> {
    await this.db
      .updateTable('signaling_session')
      .set({ revoked_at: now })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .execute();
  }
}
