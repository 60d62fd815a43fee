import { randomBytes } from 'node:crypto';
import { createWebRtcPeer } from '@ringbus/telephony-testkit';

/**
 * Complete WebRTC offers (every candidate in them) for many calls without a werift peer per call: one
 * real werift offer, and per call fresh ICE credentials, since Janus refuses an offer whose credentials a
 * reused handle has just seen. No call of the benchmark gets media, so no peer has to answer ICE.
 */
export async function offerFactory(): Promise<() => string> {
  const peer = createWebRtcPeer({ offerDtlsSetup: 'active' });
  try {
    const { sdp } = await peer.createOffer();
    if (!/^a=ice-ufrag:/m.test(sdp) || !/^a=ice-pwd:/m.test(sdp))
      throw new Error('werift offer without ICE credentials');
    return () =>
      sdp
        .replace(/^a=ice-ufrag:.*$/gm, `a=ice-ufrag:${randomBytes(4).toString('hex')}`)
        .replace(/^a=ice-pwd:.*$/gm, `a=ice-pwd:${randomBytes(16).toString('hex')}`);
  } finally {
    await peer.close();
  }
}
