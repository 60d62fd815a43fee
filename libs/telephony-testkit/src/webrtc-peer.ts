import {
  type CandidatePair,
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  RtpPacket,
} from 'werift';
import { InvalidTelephonyOptionsError, WebRtcNegotiationError } from './errors.js';
import { type PortRange } from './janus-config.js';

/** A JSEP session description as Janus sends and takes it. */
export interface Jsep {
  readonly type: 'offer' | 'answer';
  readonly sdp: string;
}

export interface WebRtcPeerOptions {
  /** UDP ports for werift's ICE (default 30000-30199). */
  readonly icePorts?: PortRange;
  /** Milliseconds between generated RTP packets (default 20, i.e. 160 PCMU samples each). */
  readonly packetIntervalMs?: number;
  /** How long to wait for ICE gathering before giving up (default 5 s). */
  readonly gatherTimeoutMs?: number;
  /**
   * The DTLS `a=setup` of offers sent to Janus. `actpass` (default) is what browsers send: Janus then takes
   * the DTLS client role and its first ClientHello, sent before werift listens, is lost, so OpenSSL's 1 s
   * retransmission delays every outgoing call. `active` makes werift the client and saves that second.
   */
  readonly offerDtlsSetup?: 'actpass' | 'active';
}

export interface RtpCounters {
  /** Packets handed to the sender while the peer connection was connected. */
  readonly sent: number;
  /** Packets received on the remote audio track. */
  readonly received: number;
}

/** A softphone stand-in: one sendrecv PCMU audio track fed with silence, RTP counted both ways. */
export interface WebRtcPeer {
  /**
   * A complete offer with every candidate in it (Janus is half-trickle). With `iceRestart`, new ICE
   * credentials: the offer of an `update` after a reconnect.
   */
  createOffer(options?: { readonly iceRestart?: boolean }): Promise<Jsep>;
  applyAnswer(answer: Jsep): Promise<void>;
  /** Takes a remote offer (e.g. from Janus `incomingcall`) and returns a complete answer. */
  answerOffer(offer: Jsep): Promise<Jsep>;
  connectionState(): string;
  counters(): RtpCounters;
  /** Stops (false) or resumes (true) generating RTP, e.g. while the call is on hold. */
  setSending(sending: boolean): void;
  waitForConnected(timeoutMs?: number): Promise<void>;
  /** Resolves once `count` packets arrived in total; rejects after `timeoutMs` with the counters. */
  waitForReceived(count: number, timeoutMs?: number): Promise<RtpCounters>;
  close(): Promise<void>;
}

const PCMU_PAYLOAD_TYPE = 0;
const PCMU_SAMPLES_PER_MS = 8;
// 0xFF is silence in mu-law.
const PCMU_SILENCE_BYTE = 0xff;

/** A werift peer that only ever gathers and accepts 127.0.0.1 candidates. */
export function createWebRtcPeer(options: WebRtcPeerOptions = {}): WebRtcPeer {
  const icePorts = options.icePorts ?? { min: 30_000, max: 30_199 };
  if (icePorts.min >= icePorts.max) {
    throw new InvalidTelephonyOptionsError(
      'icePorts',
      `min must be below max, got ${icePorts.min}-${icePorts.max}`,
    );
  }
  return new LoopbackWebRtcPeer(
    icePorts,
    options.packetIntervalMs ?? 20,
    options.gatherTimeoutMs ?? 5_000,
    options.offerDtlsSetup ?? 'actpass',
  );
}

class LoopbackWebRtcPeer implements WebRtcPeer {
  private readonly connection: RTCPeerConnection;
  private readonly track = new MediaStreamTrack({ kind: 'audio' });
  private readonly sendTimer: NodeJS.Timeout;
  private sent = 0;
  private received = 0;
  private sending = true;
  private sequenceNumber = 0;
  private timestamp = 0;
  private readonly counterListeners = new Set<() => void>();

  constructor(
    icePorts: PortRange,
    private readonly packetIntervalMs: number,
    private readonly gatherTimeoutMs: number,
    private readonly offerDtlsSetup: 'actpass' | 'active',
  ) {
    this.connection = new RTCPeerConnection({
      iceServers: [],
      iceUseIpv4: true,
      iceUseIpv6: false,
      iceInterfaceAddresses: { udp4: '127.0.0.1' },
      iceAdditionalHostAddresses: ['127.0.0.1'],
      icePortRange: [icePorts.min, icePorts.max],
      iceFilterCandidatePair: (pair: CandidatePair) => pair.remoteCandidate.host.startsWith('127.'),
      bundlePolicy: 'max-bundle',
      codecs: {
        audio: [
          new RTCRtpCodecParameters({
            mimeType: 'audio/PCMU',
            clockRate: 8000,
            channels: 1,
            payloadType: PCMU_PAYLOAD_TYPE,
          }),
        ],
        video: [],
      },
    });
    this.connection.addTransceiver(this.track, { direction: 'sendrecv' });
    this.connection.onTrack.subscribe((remote) => {
      remote.onReceiveRtp.subscribe(() => {
        this.received += 1;
        this.notify();
      });
    });
    this.connection.connectionStateChange.subscribe(() => this.notify());
    this.sendTimer = setInterval(() => this.sendSilence(), packetIntervalMs);
  }

  async createOffer(options: { readonly iceRestart?: boolean } = {}): Promise<Jsep> {
    const offer = await this.connection.createOffer({ iceRestart: options.iceRestart === true });
    await this.connection.setLocalDescription(offer);
    const complete = await this.completeLocalDescription('offer');
    if (this.offerDtlsSetup === 'actpass') return complete;
    // Only the copy sent away says `active`: werift takes the client role from the answer's `passive`.
    return { type: 'offer', sdp: complete.sdp.replace(/^a=setup:actpass$/gm, 'a=setup:active') };
  }

  async applyAnswer(answer: Jsep): Promise<void> {
    if (answer.type !== 'answer')
      throw new WebRtcNegotiationError(`expected an answer, got an ${answer.type}`);
    await this.connection.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    await this.resumeRestartedIce();
  }

  /**
   * werift 0.25 restarts ICE for an `iceRestart` offer but, seeing DTLS still connected, never starts the
   * new connectivity checks once the answer is in (and still reports the transport `completed`): the
   * media path stays dead. A browser starts them; so does this peer, for each transport whose restart
   * dropped its nominated pair.
   */
  private async resumeRestartedIce(): Promise<void> {
    for (const dtls of this.connection.dtlsTransports) {
      if (dtls.state === 'connected' && dtls.iceTransport.connection.nominated === undefined) {
        await dtls.iceTransport.start();
      }
    }
  }

  async answerOffer(offer: Jsep): Promise<Jsep> {
    if (offer.type !== 'offer') throw new WebRtcNegotiationError(`expected an offer, got an ${offer.type}`);
    await this.connection.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    const answer = await this.connection.createAnswer();
    await this.connection.setLocalDescription(answer);
    return this.completeLocalDescription('answer');
  }

  connectionState(): string {
    return this.connection.connectionState;
  }

  counters(): RtpCounters {
    return { sent: this.sent, received: this.received };
  }

  setSending(sending: boolean): void {
    this.sending = sending;
  }

  waitForConnected(timeoutMs = 10_000): Promise<void> {
    return this.waitFor(
      () => this.connection.connectionState === 'connected',
      timeoutMs,
      () => `the peer connection is ${this.connection.connectionState}`,
    );
  }

  async waitForReceived(count: number, timeoutMs = 10_000): Promise<RtpCounters> {
    await this.waitFor(
      () => this.received >= count,
      timeoutMs,
      () => `received ${this.received} of ${count} RTP packets (sent ${this.sent})`,
    );
    return this.counters();
  }

  async close(): Promise<void> {
    clearInterval(this.sendTimer);
    this.track.stop();
    await this.connection.close();
  }

  private async completeLocalDescription(type: Jsep['type']): Promise<Jsep> {
    await this.waitFor(
      () => this.connection.iceGatheringState === 'complete',
      this.gatherTimeoutMs,
      () => `ICE gathering is ${this.connection.iceGatheringState}`,
    );
    const description = this.connection.localDescription;
    if (description === null) throw new WebRtcNegotiationError('no local description after gathering');
    if (!/a=candidate:.* 127\.0\.0\.1 /.test(description.sdp)) {
      throw new WebRtcNegotiationError(`the local ${type} has no 127.0.0.1 candidate:\n${description.sdp}`);
    }
    return { type, sdp: description.sdp };
  }

  private sendSilence(): void {
    const samples = this.packetIntervalMs * PCMU_SAMPLES_PER_MS;
    this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
    this.timestamp = (this.timestamp + samples) >>> 0;
    if (!this.sending || this.connection.connectionState !== 'connected') return;
    const header = new RtpHeader({
      payloadType: PCMU_PAYLOAD_TYPE,
      sequenceNumber: this.sequenceNumber,
      timestamp: this.timestamp,
      marker: this.sent === 0,
    });
    this.track.writeRtp(new RtpPacket(header, Buffer.alloc(samples, PCMU_SILENCE_BYTE)));
    this.sent += 1;
    this.notify();
  }

  private notify(): void {
    for (const listener of this.counterListeners) listener();
  }

  private waitFor(done: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (done()) settle(() => resolve());
      };
      const timer = setTimeout(
        () => settle(() => reject(new WebRtcNegotiationError(`${describe()} after ${timeoutMs} ms`))),
        timeoutMs,
      );
      const gathering = this.connection.iceGatheringStateChange.subscribe(() => check());
      const settle = (finish: () => void): void => {
        clearTimeout(timer);
        gathering.unSubscribe();
        this.counterListeners.delete(check);
        finish();
      };
      this.counterListeners.add(check);
      check();
    });
  }
}
