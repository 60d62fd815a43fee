import { generateCallId, SoftphoneClient } from '@ringbus/client-sdk';
import { type Platform } from '@ringbus/platform-testkit';
import { type ServerEvent } from '@ringbus/softphone-protocol';
import { nowMs, type CallSample } from './call-samples.js';

const LINES_PER_SOFTPHONE = 16;
// signaling's live-call projection frees a line from CallEnded on its own consumer, a little after the
// `hangup` reached the socket: a line rests this long before it carries the next call.
const LINE_REST_MS = 1_000;
const CALL_TIMEOUT_MS = 15_000;

interface Line {
  readonly index: number;
  freeFromMs: number;
  busy: boolean;
}

interface PendingCall {
  readonly sample: CallSample;
  readonly finish: () => void;
}

/** Softphones of their own users placing busy calls through signaling, one socket per user. */
export class RingbusCaller {
  private next = 0;
  private readonly pending = new Map<string, PendingCall>();

  private constructor(private readonly phones: { client: SoftphoneClient; lines: Line[] }[]) {
    for (const phone of phones) phone.client.on('event', (event) => this.onEvent(event));
  }

  static async connect(platform: Platform, softphones: number): Promise<RingbusCaller> {
    const phones = [];
    for (let i = 0; i < softphones; i += 1) {
      const subscriber = await platform.subscriber({
        lines: LINES_PER_SOFTPHONE,
        callerNumber: `+1555000${1000 + i}`,
      });
      const client = new SoftphoneClient({ requestTimeoutMs: CALL_TIMEOUT_MS, eventHistoryLimit: 100 });
      await client.connect({
        url: platform.signalingUrl,
        token: subscriber.token,
        tenant: subscriber.tenant,
      });
      phones.push({
        client,
        lines: Array.from({ length: LINES_PER_SOFTPHONE }, (_, index) => ({
          index,
          freeFromMs: 0,
          busy: false,
        })),
      });
    }
    return new RingbusCaller(phones);
  }

  /** One call: `outgoing_call` with `offerSdp` to `number`; settles when the socket says hangup (or fails). */
  async call(number: string, offerSdp: string): Promise<CallSample> {
    const { phone, line } = this.freeLine();
    const clientCallId = generateCallId();
    line.busy = true;
    const sample: CallSample = { path: 'ringbus', number, sentAtMs: nowMs() };
    const ended = new Promise<void>((resolve) => this.pending.set(clientCallId, { sample, finish: resolve }));
    const timer = setTimeout(() => {
      sample.failure ??= `no hangup on the socket within ${CALL_TIMEOUT_MS} ms`;
      this.pending.get(clientCallId)?.finish();
    }, CALL_TIMEOUT_MS);
    try {
      await phone.client.outgoingCall({
        number,
        jsep: { type: 'offer', sdp: offerSdp },
        line: line.index,
        callId: clientCallId,
      });
      await ended;
    } catch (error) {
      sample.failure = `outgoing_call refused: ${(error as Error).message}`;
    } finally {
      clearTimeout(timer);
      this.pending.delete(clientCallId);
      line.busy = false;
      line.freeFromMs = nowMs() + LINE_REST_MS;
    }
    return sample;
  }

  async close(): Promise<void> {
    for (const phone of this.phones) await phone.client.close().catch(() => undefined);
  }

  private freeLine(): { phone: { client: SoftphoneClient; lines: Line[] }; line: Line } {
    const now = nowMs();
    for (let tried = 0; tried < this.phones.length; tried += 1) {
      const phone = this.phones[this.next++ % this.phones.length]!;
      const line = phone.lines.find((candidate) => !candidate.busy && candidate.freeFromMs <= now);
      if (line !== undefined) return { phone, line };
    }
    throw new Error(`all ${this.phones.length * LINES_PER_SOFTPHONE} softphone lines are busy`);
  }

  private onEvent(event: ServerEvent): void {
    if (!('call_id' in event) || typeof event.call_id !== 'string') return;
    const pending = this.pending.get(event.call_id);
    if (pending === undefined) return;
    if (event.event === 'calling') pending.sample.callingAtMs = nowMs();
    if (event.event === 'hangup') {
      pending.sample.endedAtMs = nowMs();
      if (event.code !== 486) pending.sample.failure = `ended with ${event.code} ${event.reason}, not 486`;
      pending.finish();
    }
  }
}
