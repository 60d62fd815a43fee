import Janode, { type JanodeConnection, type JanodeSession } from 'janode';
import SipPlugin, { type SipHandle } from 'janode/plugins/sip';
import { nowMs, type CallSample } from './call-samples.js';

// After the plugin's hangup, Janus closes the handle's PeerConnection (core `hangup`, up to ~2 s); a handle
// is reused only after that, as media-orchestration does.
const PEER_CONNECTION_CLOSE_WAIT_MS = 2_500;
const CALL_TIMEOUT_MS = 15_000;

/**
 * The baseline: the same INVITE through janode straight to Janus, no Ringbus in between. Like
 * media-orchestration it keeps SIP handles warm (attached and registered once, since a handle's first
 * register costs Janus a 100 ms sleep); per call it registers the handle as a guest with the caller's
 * identity, then sends `call` with the offer.
 */
export class DirectJanusCaller {
  private readonly idle: SipHandle[] = [];
  private sequence = 0;

  private constructor(
    private readonly connection: JanodeConnection,
    private readonly session: JanodeSession,
    private readonly carrierSipPort: number,
  ) {}

  static async connect(
    wsUrl: string,
    carrierSipPort: number,
    warmHandles: number,
  ): Promise<DirectJanusCaller> {
    Janode.Logger.setLevel('none');
    const connection = await Janode.connect({ address: { url: wsUrl }, max_retries: 1, retry_time_secs: 1 });
    const session = await connection.create(15);
    const caller = new DirectJanusCaller(connection, session, carrierSipPort);
    for (let i = 0; i < warmHandles; i += 1) caller.idle.push(await caller.newHandle());
    return caller;
  }

  async call(number: string, offerSdp: string): Promise<CallSample> {
    const handle = this.idle.pop() ?? (await this.newHandle());
    const callId = `bench-direct-${process.pid}-${(this.sequence += 1)}`;
    const sample: CallSample = { path: 'direct', number, sentAtMs: nowMs() };
    const peerConnectionClosed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, PEER_CONNECTION_CLOSE_WAIT_MS);
      handle.once(Janode.EVENT.HANDLE_HANGUP, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    try {
      await handle.register({ type: 'guest', username: 'sip:+15550001@127.0.0.1' });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no final response within ${CALL_TIMEOUT_MS} ms`)),
          CALL_TIMEOUT_MS,
        );
      });
      try {
        await Promise.race([
          handle.call({
            uri: `sip:${number}@127.0.0.1:${this.carrierSipPort}`,
            call_id: callId,
            jsep: { type: 'offer', sdp: offerSdp },
          }),
          timeout,
        ]);
        sample.failure = 'answered, expected 486';
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      const message = (error as Error).message;
      if (!message.startsWith('486')) sample.failure = `call failed: ${message}`;
    }
    sample.endedAtMs = nowMs();
    // Back to the pool once Janus let the PeerConnection go (the handle is not awaited by the caller).
    void peerConnectionClosed.then(() => this.idle.push(handle));
    return sample;
  }

  async close(): Promise<void> {
    await this.session.destroy().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }

  private async newHandle(): Promise<SipHandle> {
    const handle = await this.session.attach(SipPlugin);
    await handle.register({ type: 'guest', username: 'sip:ringbus@127.0.0.1' });
    return handle;
  }
}
