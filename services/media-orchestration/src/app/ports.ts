import { type LegRequest, type LegRequestOutcome } from '../domain/leg-request.js';
import { type SipLegEvent } from '../domain/sip-leg-event.js';

/** Who our user is on SIP for an outgoing call. */
export interface SipAccount {
  /** The From URI, e.g. sip:+15551230001@trunk.example. */
  readonly identity: string;
  readonly displayName: string | undefined;
  /** Digest credentials for challenges on the INVITE; absent when the trunk does not challenge. */
  readonly credentials: { readonly authUser: string; readonly secret: string } | undefined;
}

export interface SipLineRequest {
  readonly userId: string;
  readonly line: number | undefined;
  readonly caller: string;
}

/**
 * Where SIP identities come from. Configuration today (SIP_ACCOUNTS, else a guest identity); the
 * subscriber-data service later, behind this same port.
 */
export interface SipAccountDirectory {
  accountFor(request: SipLineRequest): Promise<SipAccount>;
}

export interface OutgoingSipCall {
  /** The INVITE's request URI. */
  readonly uri: string;
  /** Our SIP Call-ID (sipCallIdFor(callId)); Janus uses it verbatim. */
  readonly sipCallId: string;
  /** The softphone's full SDP offer. */
  readonly offerSdp: string;
  readonly credentials: SipAccount['credentials'];
}

/** One Janus SIP plugin handle carrying one call. */
export interface SipLine {
  readonly gatewayId: string;
  readonly region: string;
  /** Every event of the handle, in arrival order; one listener. */
  onEvent(listener: (event: SipLegEvent) => void): void;
  /** Sets the line's identity without a REGISTER (Janus `register` with `type: guest`). */
  startGuest(account: SipAccount): Promise<void>;
  /** Sends the SIP plugin `call`; resolves when Janus sent the INVITE (`calling`). */
  call(call: OutgoingSipCall): Promise<void>;
  /** Sends the SIP plugin `hangup` (BYE when answered, CANCEL before). */
  hangup(): Promise<void>;
  /** SIP plugin `hold`: a re-INVITE with `direction`; resolves on `holding`. */
  hold(direction: 'sendonly' | 'recvonly' | 'inactive'): Promise<void>;
  /** SIP plugin `unhold`: a re-INVITE with the direction before the hold; resolves on `resuming`. */
  unhold(): Promise<void>;
  /** SIP plugin `dtmf_info`: one SIP INFO for one digit; resolves on `dtmfsent`. 0 ms: Janus's default. */
  sendDtmfDigit(digit: string, durationMs: number): Promise<void>;
  /** SIP plugin `update` with a new offer (re-INVITE); resolves on `updating`, the answer comes as `accepted`. */
  update(offerSdp: string): Promise<void>;
  /** SIP plugin `accept` of an incoming call with the softphone's answer; resolves on `accepting`. */
  accept(answerSdp: string): Promise<void>;
  /** SIP plugin `decline` of an incoming call with `sipCode`; resolves on `declining`. */
  decline(sipCode: number): Promise<void>;
  /** Core `trickle` of the softphone's candidate to the call's PeerConnection; undefined: completed. */
  trickle(candidate: Readonly<Record<string, unknown>> | undefined): Promise<void>;
  /** Detaches the handle and gives its gateway slot back; safe to call more than once. */
  release(): Promise<void>;
}

/** A slot on a gateway, held from the moment the gateway was picked until the line is released. */
export interface GatewayReservation {
  readonly gatewayId: string;
  readonly region: string;
  /** Attaches a SIP handle that keeps this slot; on failure the slot is given back. */
  openLine(): Promise<SipLine>;
  /** Gives the slot back without opening a line. */
  cancel(): void;
}

export interface SipLineProvider {
  /** Picks a gateway (region, then load) and holds a slot on it; throws NoGatewayAvailableError. */
  reserve(region: string): GatewayReservation;
  /** True while the gateway is connected. */
  isUp(gatewayId: string): boolean;
}

/** This instance's record that it carries a call, kept in PostgreSQL so a restart can find lost calls. */
export interface LiveCallClaim {
  readonly callId: string;
  readonly instanceId: string;
  readonly gatewayId: string;
  readonly sipCallId: string;
  readonly tenant: string;
  readonly traceparent: string;
  readonly correlationId: string;
}

export interface LiveCallClaims {
  /**
   * Claims the call for `eventId` (the CallRequested event) once: 'duplicate' when that event was handled
   * before, by this instance or another.
   */
  claim(eventId: string, claim: LiveCallClaim): Promise<'claimed' | 'duplicate'>;
  /** Drops the claim once the call's end is recorded. */
  release(callId: string): Promise<void>;
  /** The claims an instance left, e.g. when it crashed. */
  claimsOf(instanceId: string): Promise<readonly LiveCallClaim[]>;
}

/** Takes signaling's requests for one call while this instance carries it. */
export interface MediaCallInbox {
  /**
   * Starts taking requests for `callId`, each answered by `perform`; resolves once requests can reach
   * this instance.
   */
  open(
    callId: string,
    perform: (request: LegRequest) => Promise<LegRequestOutcome>,
  ): Promise<MediaCallMailbox>;
}

export interface MediaCallMailbox {
  /** Stops taking requests; those already taken are still answered. Safe to call more than once. */
  close(): void;
}

/** Which instance registers which SIP account: at most one at a time, or every incoming INVITE forks. */
export interface RegistrationLeases {
  /** Takes or renews the leases it can for `ttlMs`; returns the accounts this instance now holds. */
  acquire(accountIds: readonly string[], instanceId: string, ttlMs: number): Promise<string[]>;
  /** Gives up this instance's leases on `accountIds` (it unregistered them or is stopping). */
  release(accountIds: readonly string[], instanceId: string): Promise<void>;
}

/** A SIP account to keep registered so that its incoming calls reach Ringbus. */
export interface RegisteredAccount {
  readonly userId: string;
  readonly tenant: string;
  /** The account's SIP URI (To of the calls it receives). */
  readonly identity: string;
  readonly displayName: string | undefined;
  readonly registrar: string;
  readonly authUser: string | undefined;
  readonly secret: string | undefined;
  /** Calls it can take at once (registered handle + helpers). */
  readonly lines: number;
}

/** An INVITE that reached a registered account: the line (Janus handle) that carries it from now on. */
export interface IncomingSipCall {
  readonly line: SipLine;
  readonly caller: string;
  readonly callerDisplayName: string;
  readonly callee: string;
  readonly sdpOffer: string;
  readonly carrierSipCallId: string;
}

/** A live registration on a gateway; ends when its gateway is lost (then `lost` settles). */
export interface SipRegistration {
  readonly gatewayId: string;
  readonly lost: Promise<string>;
  /** Unregisters and lets its handles go. */
  close(): Promise<void>;
}

export interface SipRegistrar {
  /** Registers `account` on a gateway; each incoming call is handed to `onIncoming`. */
  register(account: RegisteredAccount, onIncoming: (call: IncomingSipCall) => void): Promise<SipRegistration>;
}
