import {
  eventMatching,
  generateCallId,
  SoftphoneClient,
  type SoftphoneClientOptions,
} from '@ringbus/client-sdk';
import {
  type CallEventName,
  type ServerEvent,
  type ServerEventOf,
  type StateHandshake,
} from '@ringbus/softphone-protocol';
import {
  createWebRtcPeer,
  type Jsep,
  type WebRtcPeer,
  type WebRtcPeerOptions,
} from '@ringbus/telephony-testkit';

/** A user signaling knows, with a session token minted by signaling's own code. */
export interface TestSubscriber {
  readonly tenant: string;
  readonly userId: string;
  readonly callerNumber: string;
  readonly lines: number;
  readonly token: string;
}

export interface SoftphoneOptions {
  readonly client?: SoftphoneClientOptions;
  /** Options of each call's werift peer; offers say `a=setup:active` unless told otherwise. */
  readonly webRtc?: WebRtcPeerOptions;
}

/** One outgoing call a softphone placed: its socket events and its werift peer. */
export interface SoftphoneCall {
  /** The call id the softphone chose (WTSP `call_id`), not Ringbus's call id. */
  readonly clientCallId: string;
  readonly line: number;
  readonly number: string;
  readonly offer: Jsep;
  readonly peer: WebRtcPeer;
  /** Wall clock (ms) just before `outgoing_call` was sent. */
  readonly sentAtMs: number;
  /** The first event of `name` for this call since `outgoing_call` was sent (also one already received). */
  waitForEvent<N extends CallEventName>(name: N, timeoutMs?: number): Promise<ServerEventOf<N>>;
  /** The socket events of this call so far, in order. */
  events(): ServerEvent[];
  /** Applies the answer of the call's `accepted` event to the peer and waits until it is connected. */
  connectMedia(timeoutMs?: number): Promise<void>;
}

/** A softphone: a WTSP socket (the client SDK) and a werift peer per call for its media. */
export class Softphone {
  private readonly calls: SoftphoneCall[] = [];

  private constructor(
    readonly client: SoftphoneClient,
    readonly subscriber: TestSubscriber,
    readonly state: StateHandshake,
    private readonly webRtc: WebRtcPeerOptions,
  ) {}

  static async connect(
    signalingUrl: string,
    subscriber: TestSubscriber,
    options: SoftphoneOptions = {},
  ): Promise<Softphone> {
    const client = new SoftphoneClient({
      requestTimeoutMs: 8_000,
      handshakeTimeoutMs: 8_000,
      ...options.client,
    });
    const state = await client.connect({
      url: signalingUrl,
      token: subscriber.token,
      tenant: subscriber.tenant,
    });
    return new Softphone(client, subscriber, state, { offerDtlsSetup: 'active', ...options.webRtc });
  }

  /**
   * Makes a werift peer, sends `outgoing_call` with its complete offer (Janus is half-trickle) and resolves
   * once signaling acked it; a refusal rejects with the SDK's SignalingRequestError.
   */
  async placeCall(
    number: string,
    options: { line?: number; clientCallId?: string } = {},
  ): Promise<SoftphoneCall> {
    const peer = createWebRtcPeer(this.webRtc);
    try {
      const offer = await peer.createOffer();
      const clientCallId = options.clientCallId ?? generateCallId();
      const line = options.line ?? 0;
      const mark = this.client.eventMark();
      const sentAtMs = Date.now();
      const client = this.client;
      const ofThisCall = (event: ServerEvent): boolean =>
        'call_id' in event && event.call_id === clientCallId;
      const call: SoftphoneCall = {
        clientCallId,
        line,
        number,
        offer,
        peer,
        sentAtMs,
        waitForEvent: <N extends CallEventName>(name: N, timeoutMs = 10_000) =>
          client.waitForEvent(eventMatching(name, { callId: clientCallId }), timeoutMs, {
            since: mark,
          }) as Promise<ServerEventOf<N>>,
        events: () => client.eventsSince(mark).filter(ofThisCall),
        async connectMedia(timeoutMs = 10_000) {
          const accepted = await call.waitForEvent('accepted', timeoutMs);
          if (accepted.jsep === undefined)
            throw new Error(`accepted for call ${clientCallId} carries no SDP answer`);
          await peer.applyAnswer({ type: 'answer', sdp: accepted.jsep.sdp });
          await peer.waitForConnected(timeoutMs);
        },
      };
      this.calls.push(call);
      await client.outgoingCall({
        number,
        jsep: { type: offer.type, sdp: offer.sdp },
        line,
        callId: clientCallId,
      });
      return call;
    } catch (error) {
      await peer.close().catch(() => undefined);
      throw error;
    }
  }

  /** Closes every call's peer and the socket. */
  async close(): Promise<void> {
    for (const call of this.calls.splice(0)) await call.peer.close().catch(() => undefined);
    if (this.client.closeInfo === undefined) await this.client.close().catch(() => undefined);
  }
}
