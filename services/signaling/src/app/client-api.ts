import { CommandRejectedError } from '@ringbus/bus';
import { type EventStore } from '@ringbus/event-store';
import { callHistoryEntry, type CallHistoryEntry, type DatedCallEvent } from '../domain/call-history.js';
import { afterFailedSignIn, lockedForMs, type SignInLockoutPolicy } from '../domain/sign-in-lockout.js';
import { decodeCallEvent, readCallStream } from './call-stream.js';
import { apiErrors } from './client-api-errors.js';
import {
  type Contact,
  type PushTokenKind,
  type PushTokenRegistry,
  type SessionIdentity,
  type SessionIssuer,
  type SessionEndNotices,
  type SessionRegistry,
  type SignInCredentials,
  type SubscriberData,
  type SubscriberProfile,
  type UserCallIndex,
} from './ports.js';

/** Checks a password against a stored hash; spends the same time when there is no hash (unknown login). */
export interface PasswordCheck {
  verify(password: string, stored: string | undefined): Promise<boolean>;
}

export interface ClientApiDeps {
  readonly sessions: SessionRegistry & SessionIssuer;
  readonly credentials: SignInCredentials;
  readonly passwords: PasswordCheck;
  readonly subscribers: SubscriberData;
  readonly userCalls: UserCallIndex;
  readonly store: EventStore;
  readonly pushTokens: PushTokenRegistry;
  readonly sessionEnds: SessionEndNotices;
  readonly lockout: SignInLockoutPolicy;
  readonly sessionTtlMs: number;
  readonly clock: () => number;
}

/** The caller of a private endpoint: a live session, and the app's bundle id it signed in with. */
export interface ApiCaller extends SessionIdentity {
  readonly bundleId: string | null;
}

export interface PasswordSignIn {
  readonly tenant: string;
  readonly login: string;
  readonly password: string;
  readonly app: { readonly type: string; readonly identifier: string; readonly bundleId?: string };
}

export interface HistoryQuery {
  readonly from?: Date;
  readonly to?: Date;
  readonly page: number;
  readonly itemsPerPage: number;
}

/** WebTrit's push token types, as push names their kinds (`hms` has no provider in push yet). */
const PUSH_KINDS: Readonly<Record<string, PushTokenKind | undefined>> = {
  fcm: 'fcm',
  apns: 'apns',
  apkvoip: 'apns_voip',
  hms: undefined,
};

function numbersOf(
  main: string | null,
  ext: string | null,
  additional: readonly string[],
): { main: string | null; ext: string | null; additional: string[] } {
  return { main, ext, additional: [...additional] };
}

function contactView(contact: Contact) {
  return {
    user_id: contact.contactId,
    // The built-in data knows nothing about the contact's SIP registration; the app takes null as unknown.
    sip_status: null,
    numbers: numbersOf(contact.mainNumber, contact.extNumber, contact.additionalNumbers),
    email: contact.email,
    first_name: contact.firstName,
    last_name: contact.lastName,
    alias_name: contact.aliasName,
    company_name: contact.companyName,
  };
}

export type ContactView = ReturnType<typeof contactView>;

function userView(profile: SubscriberProfile) {
  return {
    status: profile.status,
    // The built-in subscriber data has no billing: WebTrit's "inapplicable" balance.
    balance: { balance_type: 'inapplicable', amount: 0, credit_limit: 0, currency: '' },
    numbers: numbersOf(profile.mainNumber, profile.extNumber, profile.additionalNumbers),
    email: profile.email,
    first_name: profile.firstName,
    last_name: profile.lastName,
    alias_name: profile.aliasName,
    company_name: profile.companyName,
    time_zone: profile.timeZone,
  };
}

export type UserView = ReturnType<typeof userView>;

/**
 * What the softphone's REST API does, without HTTP: password sign-in with a lockout per login, sessions,
 * the user's profile, contacts and call history, push tokens. Every private call starts from `authorize`,
 * and reads only the caller's own tenant and user.
 */
export class ClientApi {
  constructor(private readonly deps: ClientApiDeps) {}

  async signIn(request: PasswordSignIn): Promise<{ token: string; user_id: string; tenant_id: string }> {
    const { credentials, passwords } = this.deps;
    const now = new Date(this.deps.clock());
    const lockedMs = lockedForMs(await credentials.failuresOf(request.tenant, request.login), now);
    if (lockedMs > 0) throw apiErrors.signInLocked(Math.ceil(lockedMs / 1000));
    const login = await credentials.findLogin(request.tenant, request.login);
    // The KDF runs for unknown logins too: the answer takes as long, and says as little.
    const matches = await passwords.verify(request.password, login?.passwordHash);
    if (login === undefined || !matches) {
      await credentials.recordFailure(request.tenant, request.login, (current) =>
        afterFailedSignIn(current, now, this.deps.lockout),
      );
      throw apiErrors.incorrectCredentials();
    }
    await credentials.clearFailures(request.tenant, request.login);
    const profile = await this.deps.subscribers.findProfile(request.tenant, login.userId);
    if (profile === undefined) throw apiErrors.userNotFound();
    if (profile.status === 'blocked') throw apiErrors.userBlocked();
    const session = await this.deps.sessions.mint({
      userId: login.userId,
      tenant: request.tenant,
      ttlMs: this.deps.sessionTtlMs,
      now,
      app: request.app,
    });
    return { token: session.token, user_id: login.userId, tenant_id: request.tenant };
  }

  /**
   * The session a bearer token opens in `tenant` (null: in its own tenant, the plain path), or the reason
   * it opens none.
   */
  async authorize(token: string, tenant: string | null): Promise<ApiCaller> {
    const inspection = await this.deps.sessions.inspect(token, tenant, new Date(this.deps.clock()));
    switch (inspection.status) {
      case 'valid':
        return { ...inspection.identity, bundleId: inspection.bundleId };
      case 'expired':
        throw apiErrors.tokenExpired();
      case 'revoked':
        throw apiErrors.sessionMissing();
      case 'unknown':
        throw apiErrors.tokenInvalid();
    }
  }

  /** Revokes the session, then has its open socket closed (4201) on whichever instance holds it. */
  async signOut(caller: ApiCaller): Promise<void> {
    await this.deps.sessions.revoke(caller.sessionId, new Date(this.deps.clock()));
    await this.deps.sessionEnds.sessionEnded(caller.sessionId);
  }

  /**
   * Whether the session keeps its SIP registration while no socket is open. Stored per session; acting on
   * it belongs to the SIP registration handling, which does not exist yet (the handshake says registered).
   */
  appStatus(caller: ApiCaller): Promise<{ readonly register: boolean }> {
    return this.deps.sessions.appStatus(caller.sessionId);
  }

  async setAppStatus(caller: ApiCaller, status: { readonly register: boolean }): Promise<void> {
    await this.deps.sessions.setAppStatus(caller.sessionId, status);
  }

  async user(caller: ApiCaller): Promise<UserView> {
    const profile = await this.deps.subscribers.findProfile(caller.tenant, caller.userId);
    if (profile === undefined) throw apiErrors.userNotFound();
    return userView(profile);
  }

  async contacts(caller: ApiCaller): Promise<{ items: ContactView[] }> {
    const contacts = await this.deps.subscribers.listContacts(caller.tenant, caller.userId);
    return { items: contacts.map(contactView) };
  }

  async contact(caller: ApiCaller, contactId: string): Promise<ContactView> {
    const contact = await this.deps.subscribers.findContact(caller.tenant, caller.userId, contactId);
    if (contact === undefined) throw apiErrors.contactNotFound();
    return contactView(contact);
  }

  /** A page of the caller's finished calls, newest first, each rebuilt from its call stream. */
  async history(
    caller: ApiCaller,
    query: HistoryQuery,
  ): Promise<{
    items: CallHistoryEntry[];
    pagination: { page: number; items_per_page: number; items_total: number };
  }> {
    const { callIds, total } = await this.deps.userCalls.pageEndedCalls({
      tenant: caller.tenant,
      userId: caller.userId,
      from: query.from,
      to: query.to,
      offset: (query.page - 1) * query.itemsPerPage,
      limit: query.itemsPerPage,
    });
    const entries = await Promise.all(callIds.map((callId) => this.historyEntry(caller, callId)));
    return {
      items: entries.filter((entry) => entry !== undefined),
      pagination: { page: query.page, items_per_page: query.itemsPerPage, items_total: total },
    };
  }

  async registerPushToken(caller: ApiCaller, token: { type: string; value: string }): Promise<void> {
    const kind = PUSH_KINDS[token.type];
    if (kind === undefined) throw apiErrors.pushTypeUnsupported(token.type);
    try {
      await this.deps.pushTokens.register({
        tenant: caller.tenant,
        userId: caller.userId,
        kind,
        token: token.value,
        ...(caller.bundleId === null ? {} : { appId: caller.bundleId }),
      });
    } catch (error) {
      if (error instanceof CommandRejectedError && !error.retryable)
        throw apiErrors.pushTokenRejected(error.rejection.message);
      throw apiErrors.pushUnavailable(error);
    }
  }

  private async historyEntry(caller: ApiCaller, callId: string): Promise<CallHistoryEntry | undefined> {
    const records = await readCallStream(this.deps.store, callId);
    // The index is the caller's own; the stream's tenant is checked again all the same.
    if (records.some((record) => record.metadata.tenant !== caller.tenant)) return undefined;
    const events: DatedCallEvent[] = [];
    for (const record of records) {
      const event = decodeCallEvent(record);
      if (event !== undefined) events.push({ event, occurredAt: record.metadata.occurredAt });
    }
    const first = events[0]?.event.event;
    if (
      (first?.case === 'callRequested' || first?.case === 'callOffered') &&
      first.value.userId !== caller.userId
    )
      return undefined;
    return callHistoryEntry(events);
  }
}
