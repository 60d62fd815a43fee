import { afterAll, afterEach, beforeAll } from 'vitest';
import { callEventFromRecord } from '@ringbus/proto';
import {
  createWebRtcPeer,
  type JanusGateway,
  runSipp,
  type SippPeer,
  startJanus,
  type WebRtcPeer,
} from '@ringbus/telephony-testkit';
import { OutgoingCallPlatform } from './outgoing-call-platform.js';

export interface JanusE2eFixture {
  readonly platform: OutgoingCallPlatform;
  readonly janus: JanusGateway;
  /** A sipp carrier for one test (stopped after it), with generous timeouts. */
  carrier(options: Parameters<typeof runSipp>[0]): Promise<SippPeer>;
  /** A werift softphone for one test (closed after it); offers `a=setup:active` as browsers do to Janus. */
  softphone(): WebRtcPeer;
  /** Applies the call's Answered SDP to `peer` and waits for `packets` echoed RTP packets. */
  connectMedia(callId: string, peer: WebRtcPeer, packets: number): ReturnType<WebRtcPeer['waitForReceived']>;
}

/**
 * The lifecycle the Janus e2e suites share: one platform (nats-server, schema, relay) and one Janus for the
 * file; services, carriers and softphones per test, stopped after each.
 */
export function useJanusE2eFixture(): JanusE2eFixture {
  let platform: OutgoingCallPlatform | undefined;
  let janus: JanusGateway | undefined;
  const peers: WebRtcPeer[] = [];
  const sipps: SippPeer[] = [];

  beforeAll(async () => {
    platform = await OutgoingCallPlatform.start();
    janus = await startJanus();
  });

  afterEach(async () => {
    await platform?.stopServices();
    for (const peer of peers.splice(0)) await peer.close();
    for (const sipp of sipps.splice(0)) await sipp.stop();
  });

  afterAll(async () => {
    await platform?.close();
    await janus?.stop();
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started (beforeAll failed?)`);
    return value;
  };

  return {
    get platform() {
      return started(platform, 'the platform');
    },
    get janus() {
      return started(janus, 'Janus');
    },
    async carrier(options) {
      const sipp = await runSipp({ recvTimeoutMs: 30_000, globalTimeoutMs: 90_000, ...options });
      sipps.push(sipp);
      return sipp;
    },
    softphone() {
      const peer = createWebRtcPeer({ offerDtlsSetup: 'active' });
      peers.push(peer);
      return peer;
    },
    async connectMedia(callId, peer, packets) {
      const answered = callEventFromRecord(
        await started(platform, 'the platform').waitForEvent(callId, 'Answered'),
      ).event;
      if (answered.case !== 'answered') throw new Error('not Answered');
      await peer.applyAnswer({ type: 'answer', sdp: answered.value.sdpAnswer });
      await peer.waitForConnected(10_000);
      return peer.waitForReceived(packets, 5_000);
    },
  };
}
