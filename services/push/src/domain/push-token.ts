/**
 * A device's push token as the softphone app registered it. `fcm`: an Android FCM registration token;
 * `apns`: an iOS APNs device token for ordinary (alert) pushes; `apns_voip`: an iOS PushKit VoIP token.
 */
export const PUSH_TOKEN_KINDS = ['fcm', 'apns', 'apns_voip'] as const;
export type PushTokenKind = (typeof PUSH_TOKEN_KINDS)[number];

/** Which provider delivers pushes to a kind of token. */
export type PushProviderName = 'fcm' | 'apns';

export function providerOf(kind: PushTokenKind): PushProviderName {
  return kind === 'fcm' ? 'fcm' : 'apns';
}

/** What identifies one registration: unique per (tenant, user, kind, token). */
export interface PushTokenKey {
  readonly tenant: string;
  readonly userId: string;
  readonly kind: PushTokenKind;
  readonly token: string;
}

export interface PushToken extends PushTokenKey {
  /** The iOS bundle id (APNs topic) or the Android application id; empty: the configured default. */
  readonly appId: string;
}

/** A token as it may appear in logs: enough to tell two apart, never enough to push to it. */
export function maskedToken(token: string): string {
  return token.length <= 8 ? '***' : `${token.slice(0, 6)}…(${token.length})`;
}
