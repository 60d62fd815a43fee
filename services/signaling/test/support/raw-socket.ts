import { setTimeout as sleep } from 'node:timers/promises';
import { SIGNALING_SUBPROTOCOL, signalingUrl } from '@ringbus/softphone-protocol';
import WebSocket from 'ws';

/**
 * A signaling socket with no client logic at all: it sends whatever bytes a test gives it and records
 * every frame the server sends back, so tests can see what a real client library would hide (responses
 * to transactions it never opened, the exact close code).
 */
export class RawSocket {
  readonly received: Record<string, unknown>[] = [];
  closeCode: number | undefined;
  closeReason = '';
  private readonly socket: WebSocket;
  private readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  private constructor(url: string) {
    this.socket = new WebSocket(url, [SIGNALING_SUBPROTOCOL], { maxPayload: 64 * 1024 * 1024 });
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      this.socket.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        resolve(code);
      });
    });
    this.socket.on('error', () => undefined);
    this.socket.on('message', (data) => {
      this.received.push(JSON.parse(String(data)) as Record<string, unknown>);
    });
  }

  static async open(
    base: string,
    token: string,
    options: { tenant?: string; force?: boolean } = {},
  ): Promise<RawSocket> {
    const socket = new RawSocket(signalingUrl(base, { token, ...options }));
    await socket.opened;
    return socket;
  }

  get isOpen(): boolean {
    return this.closeCode === undefined && this.socket.readyState === WebSocket.OPEN;
  }

  send(data: string | Buffer, binary = false): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(data, { binary });
  }

  /** Resolves with the first frame satisfying `predicate` (received before or after the call). */
  async next(
    predicate: (frame: Record<string, unknown>) => boolean,
    timeoutMs = 5_000,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(predicate);
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(
          `no such frame within ${timeoutMs} ms; got ${JSON.stringify(this.received).slice(0, 500)}`,
        );
      await sleep(10);
    }
  }

  /** The state handshake. */
  state(timeoutMs = 5_000): Promise<Record<string, unknown>> {
    return this.next((frame) => frame['handshake'] === 'state', timeoutMs);
  }

  /** Responses to `transaction`, as many as came. */
  responsesTo(transaction: unknown): Record<string, unknown>[] {
    const key = JSON.stringify(transaction);
    return this.received.filter(
      (frame) => 'response' in frame && JSON.stringify(frame['transaction']) === key,
    );
  }

  close(): void {
    this.socket.close();
  }

  terminate(): void {
    this.socket.terminate();
  }
}
