import { type IncomingCallPush } from '../domain/incoming-call-push.js';
import { type PushAttemptOutcome } from '../domain/provider-response.js';
import { type PushToken, type PushTokenKey, type PushTokenKind } from '../domain/push-token.js';

/** The registered push tokens (the `push_token` table). */
export interface PushTokenRegistry {
  /** Adds the token, or refreshes its app id; `created` false when it was registered already. */
  register(token: PushToken): Promise<{ readonly created: boolean }>;
  /** Removes one registration; false when there was none. */
  unregister(key: PushTokenKey): Promise<boolean>;
  /** Removes a token the provider reported dead, for every user of the tenant; returns rows removed. */
  removeInvalid(tenant: string, kind: PushTokenKind, token: string): Promise<number>;
  listForUser(tenant: string, userId: string): Promise<readonly PushToken[]>;
}

export type PushDeliveryState = 'sent' | 'failed' | 'token_invalid';

/**
 * One row per (call event, token): claimed before the push goes out, settled after. The claim is the
 * idempotency record: a token claimed once for an event is never claimed again for it.
 */
export interface PushDeliveryLog {
  /**
   * In one statement: claims (state `sending`) every token the user has now and that is not yet claimed
   * for this event, and returns them. A redelivered event gets only tokens never claimed for it.
   */
  claim(push: IncomingCallPush): Promise<readonly PushToken[]>;
  settle(eventId: string, token: PushToken, state: PushDeliveryState, detail: string): Promise<void>;
}

/** Sends one push to one token, once: no retries here (the pusher owns them). */
export interface PushProvider {
  send(push: IncomingCallPush, token: PushToken): Promise<PushAttemptOutcome>;
}

/** Where the pusher reports what it measured. */
export interface PushObserver {
  /** A provider accepted a push `latencySeconds` after the call was offered. */
  accepted(provider: string, latencySeconds: number): void;
  /** Every settled push, by outcome (`sent`, `failed`, `token_invalid`, `stale`). */
  settled(provider: string, outcome: string): void;
}

/** What the pusher logs: ids, token prefixes and codes, never numbers or names. */
export interface PushLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}
