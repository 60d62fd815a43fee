import { type MessageInitShape } from '@bufbuild/protobuf';
import { type MediaCallRequestSchema } from '@ringbus/proto';
import { type CallDirectionName, type IncomingPlacement } from '../domain/call-view.js';
import { type SignInFailures } from '../domain/sign-in-lockout.js';

type MediaCallRequestInit = MessageInitShape<typeof MediaCallRequestSchema>;

/** Who a socket speaks for, once its session token checked out. */
export interface SessionIdentity {
  readonly sessionId: string;
  readonly userId: string;
  readonly tenant: string;
}

export interface SessionTokens {
  /**
   * The live session a token opens: not expired, not revoked, and of `tenant` when the socket came in under
   * `/tenant/<tenant>/…` (null: the plain path, any tenant). Undefined when there is none.
   */
  authenticate(token: string, tenant: string | null, now: Date): Promise<SessionIdentity | undefined>;
}

export type TokenInspection =
  | {
      readonly status: 'valid';
      readonly identity: SessionIdentity;
      /** The app's bundle id given at sign-in (the APNs topic of its push tokens), if any. */
      readonly bundleId: string | null;
    }
  | { readonly status: 'unknown' | 'expired' | 'revoked' };

/** Sessions as the REST API sees them: why a token does not open one, and the sign-out. */
export interface SessionRegistry {
  /** What `token` is in `tenant` (null: any tenant): a token of another tenant is `unknown` there. */
  inspect(token: string, tenant: string | null, now: Date): Promise<TokenInspection>;
  revoke(sessionId: string, now: Date): Promise<void>;
  /** The app status of a session (`register`: keep the SIP registration while no socket is open). */
  appStatus(sessionId: string): Promise<{ readonly register: boolean }>;
  setAppStatus(sessionId: string, status: { readonly register: boolean }): Promise<void>;
}

/** What signaling needs to know about a user; the subscriber-data port of protocol.md §3 will provide it. */
export interface Subscriber {
  readonly tenant: string;
  readonly userId: string;
  /** Line slots in the state handshake; one call per line. */
  readonly lines: number;
  /** The number our user calls from (CallRequested.caller). */
  readonly callerNumber: string;
}

export interface SubscriberDirectory {
  findSubscriber(tenant: string, userId: string): Promise<Subscriber | undefined>;
}

/** A row of `signaling_live_call`: which live call a client call id names, whose it is, on which line. */
export interface LiveCallEntry {
  readonly callId: string;
  readonly tenant: string;
  readonly userId: string;
  readonly direction: CallDirectionName;
  readonly line: number | null;
  readonly clientCallId: string;
  /** False for an outgoing call whose CallRequested is not known to be stored yet. */
  readonly confirmed: boolean;
  readonly claimedAt: Date;
}

export interface OutgoingClaim {
  readonly callId: string;
  readonly tenant: string;
  readonly userId: string;
  /** null for the guest line (CallRequested without a line), which takes no line slot. */
  readonly line: number | null;
  readonly clientCallId: string;
}

export type ClaimOutcome =
  { readonly claimed: true } | { readonly claimed: false; readonly conflicts: readonly LiveCallEntry[] };

export interface IncomingOffer {
  readonly callId: string;
  readonly tenant: string;
  readonly userId: string;
  /** The line the offer names, if any. */
  readonly preferredLine: number | undefined;
  readonly lineCount: number;
  /** The carrier's SIP Call-ID: the client-facing call id unless another live call of the tenant has it. */
  readonly carrierSipCallId: string;
}

/**
 * The live calls of every user, shared by all signaling instances (PostgreSQL). Claims made here are
 * atomic: two sockets cannot take one line, nor one client call id, at the same time.
 */
export interface LiveCallDirectory {
  /** Takes the line and the client call id for a new outgoing call, or says what holds them. */
  claimOutgoing(claim: OutgoingClaim): Promise<ClaimOutcome>;
  /** The outgoing call's CallRequested is stored; nothing happens when the entry is gone (call over). */
  confirmOutgoing(callId: string): Promise<void>;
  /** CallRequested, as the projection sees it: the entry exists and is confirmed afterwards (if it can be). */
  recordRequested(claim: OutgoingClaim): Promise<'recorded' | 'conflict'>;
  /** Gives a claim back (its RequestCall failed, or it was left behind by a crash). */
  release(callId: string): Promise<void>;
  /** Where an incoming call sits; decided once per call, the same answer for every caller after that. */
  placeIncoming(offer: IncomingOffer): Promise<IncomingPlacement>;
  /** The call ended: its line and client call id are free again. */
  forget(callId: string): Promise<void>;
  findByClientCallId(tenant: string, clientCallId: string): Promise<LiveCallEntry | undefined>;
  /** Files a call under its user for the call history (idempotent). */
  indexUserCall(call: {
    readonly callId: string;
    readonly tenant: string;
    readonly userId: string;
    readonly direction: CallDirectionName;
    readonly startedAt: Date;
  }): Promise<void>;
  /** The call ended: it appears in its user's call history from now on. */
  markUserCallEnded(callId: string, endedAt: Date): Promise<void>;
  listForUser(tenant: string, userId: string): Promise<readonly LiveCallEntry[]>;
}

/** Runs one event's projection effect at most once per event id, with a directory bound to its transaction. */
export interface LiveCallProjectionStore {
  applyOnce(
    eventId: string,
    effect: (directory: LiveCallDirectory) => Promise<void>,
  ): Promise<'applied' | 'duplicate'>;
}

/** Why a socket must go: a newer socket forced in, two attached at once, or the session ended. */
export type DisplacedBy = 'force' | 'already-attached' | 'ended';

/** Tells every instance that a session ended (signed out), so its open socket closes. */
export interface SessionEndNotices {
  sessionEnded(sessionId: string): Promise<void>;
}

/**
 * Which socket holds a session, across every signaling instance. A session has one socket: a second one
 * is refused unless it forces, and then the older one is displaced.
 */
export interface SessionAttachments {
  attach(request: {
    readonly sessionId: string;
    readonly socketId: string;
    readonly force: boolean;
    /** Called when a newer socket displaces this one (force), or a racing older one wins. */
    readonly onDisplaced: (by: DisplacedBy) => void;
  }): Promise<SessionAttachment | 'already-attached'>;
}

export interface SessionAttachment {
  release(): void;
}

/** One softphone socket, as the session logic sees it. */
export interface SocketConnection {
  send(text: string): void;
  close(code: number, reason: string): void;
  readonly isOpen: boolean;
  /** Bytes queued but not yet written: a client that stops reading makes this grow. */
  readonly bufferedAmount: number;
}

/** A request for a call's Janus leg, in proto terms (MediaCallRequest's oneof, without the ids). */
export type MediaLegRequest = NonNullable<MediaCallRequestInit['request']>;

/**
 * What became of a media request: done, refused (with the code the softphone gets), or nobody carries
 * the call's Janus leg any more (its media-orchestration instance is gone).
 */
export type MediaLegOutcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'refused'; readonly code: number; readonly reason: string }
  | { readonly kind: 'no-carrier' };

/** The media side of live calls: requests to whichever media-orchestration instance carries a call. */
export interface MediaLegs {
  /** Throws a retryable error when the bus is down or the carrier did not answer in time. */
  request(callId: string, request: MediaLegRequest, traceparent: string): Promise<MediaLegOutcome>;
}

/** Opens sessions for signed-in users (the REST sign-in). */
export interface SessionIssuer {
  mint(request: {
    readonly userId: string;
    readonly tenant: string;
    readonly ttlMs: number;
    readonly now: Date;
    readonly app: { readonly type: string; readonly identifier: string; readonly bundleId?: string };
  }): Promise<{ readonly token: string; readonly sessionId: string; readonly expiresAt: Date }>;
}

/** Password sign-in data: the stored hash of a login, and the failed attempts per login. */
export interface SignInCredentials {
  findLogin(
    tenant: string,
    login: string,
  ): Promise<{ readonly userId: string; readonly passwordHash: string } | undefined>;
  failuresOf(tenant: string, login: string): Promise<SignInFailures | undefined>;
  /** Counts one more failure (atomically, across instances) and returns the record as it now stands. */
  recordFailure(
    tenant: string,
    login: string,
    next: (current: SignInFailures | undefined) => SignInFailures,
  ): Promise<SignInFailures>;
  clearFailures(tenant: string, login: string): Promise<void>;
}

/** What `GET /user` shows of a subscriber (never SIP credentials). */
export interface SubscriberProfile {
  readonly userId: string;
  readonly status: 'active' | 'blocked';
  readonly mainNumber: string;
  readonly extNumber: string | null;
  readonly additionalNumbers: readonly string[];
  readonly email: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly aliasName: string | null;
  readonly companyName: string | null;
  readonly timeZone: string | null;
}

export interface Contact {
  readonly contactId: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly email: string | null;
  readonly companyName: string | null;
  readonly aliasName: string | null;
  readonly mainNumber: string | null;
  readonly extNumber: string | null;
  readonly additionalNumbers: readonly string[];
}

/** The built-in subscriber data the REST API reads: profiles and contact lists. */
export interface SubscriberData {
  findProfile(tenant: string, userId: string): Promise<SubscriberProfile | undefined>;
  listContacts(tenant: string, userId: string): Promise<readonly Contact[]>;
  findContact(tenant: string, userId: string, contactId: string): Promise<Contact | undefined>;
}

/** A user's calls, newest first: the index `GET /user/history` pages before reading each call's stream. */
export interface UserCallIndex {
  pageEndedCalls(query: {
    readonly tenant: string;
    readonly userId: string;
    readonly from: Date | undefined;
    readonly to: Date | undefined;
    readonly offset: number;
    readonly limit: number;
  }): Promise<{ readonly callIds: readonly string[]; readonly total: number }>;
}

/** push's token kinds (services/push: `push_token.kind`). */
export type PushTokenKind = 'fcm' | 'apns' | 'apns_voip';

/** push's token commands (`ringbus.push.tokens.register`). */
export interface PushTokenRegistry {
  register(token: {
    readonly tenant: string;
    readonly userId: string;
    readonly kind: PushTokenKind;
    readonly token: string;
    readonly appId?: string;
  }): Promise<{ readonly created: boolean }>;
}
