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
  /** Sends `hangup` for the call and resolves on signaling's ack. */
  hangup(): Promise<void>;
  /** Closes the call's werift peer (the call itself is left as it is). */
  close(): Promise<void>;
}

/** A call offered to the softphone (`incoming_call`): the carrier's offer, accepted or declined from here. */
export interface IncomingSoftphoneCall {
  /** The WTSP `call_id` of the call: the carrier's SIP Call-ID unless another live call uses it. */
  readonly clientCallId: string;
  readonly line: number;
  /** The `incoming_call` event as received. */
  readonly offered: ServerEventOf<'incoming_call'>;
  /** The SDP offer of `incoming_call` (Janus's, towards the softphone). */
  readonly offer: Jsep;
  /** The werift peer made by `accept()`; undefined before. */
  readonly peer: WebRtcPeer | undefined;
  /** The first event of `name` for this call since the softphone connected. */
  waitForEvent<N extends CallEventName>(name: N, timeoutMs?: number): Promise<ServerEventOf<N>>;
  /** The socket events of this call so far, in order, `incoming_call` first. */
  events(): ServerEvent[];
  /** Makes a werift peer, answers the offer with it (complete answer) and sends `accept`; resolves on the ack. */
  accept(): Promise<Jsep>;
  /** Sends `decline`; resolves on the ack. */
  decline(): Promise<void>;
  /** Sends `hangup`; resolves on the ack. */
  hangup(): Promise<void>;
  /** Closes the werift peer, if any. */
  close(): Promise<void>;
}

/** A softphone: a WTSP socket (the client SDK) and a werift peer per call for its media. */
export class Softphone {
  private readonly calls: { close(): Promise<void> }[] = [];
  /** The client's event mark at its connect (a fresh client): incoming calls are looked up from there. */
  private readonly connectedMark = 0;

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
        hangup: async () => {
          await client.hangup({ line, callId: clientCallId });
        },
        close: () => peer.close().catch(() => undefined),
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

  /**
   * The `incoming_call` for the call whose WTSP `call_id` is `clientCallId` (for incoming calls: the
   * carrier's SIP Call-ID), or the first one, received since the softphone connected.
   */
  async waitForIncomingCall(
    options: { clientCallId?: string; timeoutMs?: number } = {},
  ): Promise<IncomingSoftphoneCall> {
    const offered = await this.client.waitForEvent(
      eventMatching('incoming_call', { callId: options.clientCallId }),
      options.timeoutMs ?? 10_000,
      { since: this.connectedMark },
    );
    const call = this.incomingCall(offered);
    this.calls.push(call);
    return call;
  }

  /** The `missed_call` (every line busy) for `clientCallId`, or the first one, since the softphone connected. */
  waitForMissedCall(
    options: { clientCallId?: string; timeoutMs?: number } = {},
  ): Promise<ServerEventOf<'missed_call'>> {
    return this.client.waitForEvent(
      eventMatching('missed_call', { callId: options.clientCallId }),
      options.timeoutMs ?? 10_000,
      { since: this.connectedMark },
    );
  }

  /** The socket events of the call with WTSP `call_id` `clientCallId` since the softphone connected. */
  eventsOfCall(clientCallId: string): ServerEvent[] {
    return this.client
      .eventsSince(this.connectedMark)
      .filter((event) => 'call_id' in event && event.call_id === clientCallId);
  }

  private incomingCall(offered: ServerEventOf<'incoming_call'>): IncomingSoftphoneCall {
    const { client, webRtc } = this;
    const clientCallId = offered.call_id;
    const line = offered.line;
    if (line === null) throw new Error(`incoming_call ${clientCallId} came on the guest line`);
    if (offered.jsep === undefined) throw new Error(`incoming_call ${clientCallId} carries no SDP offer`);
    const offer: Jsep = { type: 'offer', sdp: offered.jsep.sdp };
    const since = this.connectedMark;
    let peer: WebRtcPeer | undefined;
    return {
      clientCallId,
      line,
      offered,
      offer,
      get peer() {
        return peer;
      },
      waitForEvent: <N extends CallEventName>(name: N, timeoutMs = 10_000) =>
        client.waitForEvent(eventMatching(name, { callId: clientCallId }), timeoutMs, {
          since,
        }) as Promise<ServerEventOf<N>>,
      events: () => this.eventsOfCall(clientCallId),
      async accept() {
        if (peer !== undefined) throw new Error(`incoming call ${clientCallId} was already accepted`);
        peer = createWebRtcPeer(webRtc);
        const answer = await peer.answerOffer(offer);
        await client.accept({ line, callId: clientCallId, jsep: { type: answer.type, sdp: answer.sdp } });
        return answer;
      },
      async decline() {
        await client.decline({ line, callId: clientCallId });
      },
      async hangup() {
        await client.hangup({ line, callId: clientCallId });
      },
      close: async () => {
        await peer?.close().catch(() => undefined);
      },
    };
  }

  /** Closes every call's peer and the socket. */
  async close(): Promise<void> {
    for (const call of this.calls.splice(0)) await call.close();
    if (this.client.closeInfo === undefined) await this.client.close().catch(() => undefined);
  }
}
