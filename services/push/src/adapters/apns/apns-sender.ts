import http2 from 'node:http2';
import { type PushProvider } from '../../app/ports.js';
import { apnsRequestFor, type IncomingCallPush } from '../../domain/incoming-call-push.js';
import { classifyApnsResponse, type PushAttemptOutcome } from '../../domain/provider-response.js';
import { type PushToken } from '../../domain/push-token.js';
import { type ApnsProviderToken } from './apns-provider-token.js';

export interface ApnsSenderOptions {
  /** e.g. `https://api.push.apple.com` (production) or `https://api.sandbox.push.apple.com`. */
  readonly origin: string;
  /** The app's bundle id, for tokens registered without one. */
  readonly defaultBundleId: string;
  readonly ttlSeconds: number;
  readonly requestTimeoutMs: number;
  /** Extra trusted CA certificates (PEM), for a private endpoint such as a test's contract double. */
  readonly ca?: string;
}

interface ApnsAnswer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly body: string;
}

/**
 * Pushes over one long-lived HTTP/2 connection to APNs (Apple asks providers to keep connections open
 * rather than open one per push); a connection that failed or closed is replaced on the next push.
 */
export class ApnsSender implements PushProvider {
  private session: http2.ClientHttp2Session | undefined;

  constructor(
    private readonly providerToken: ApnsProviderToken,
    private readonly options: ApnsSenderOptions,
  ) {}

  async send(push: IncomingCallPush, token: PushToken): Promise<PushAttemptOutcome> {
    const request = apnsRequestFor(push, token, this.options.defaultBundleId, this.options.ttlSeconds);
    let answer: ApnsAnswer;
    try {
      answer = await this.request(
        request.path,
        {
          ...request.headers,
          authorization: `bearer ${this.providerToken.current()}`,
        },
        request.body,
      );
    } catch {
      return { kind: 'retry', reason: 'APNS_UNREACHABLE' };
    }
    let body: unknown;
    try {
      body = answer.body === '' ? undefined : JSON.parse(answer.body);
    } catch {
      body = undefined;
    }
    const outcome = classifyApnsResponse(answer.status, body, answer.retryAfter, Date.now());
    if (outcome.kind === 'retry' && outcome.refreshAuth === true) this.providerToken.invalidate();
    return outcome;
  }

  /** Closes the connection (service shutdown). */
  close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session === undefined || session.closed || session.destroyed) return Promise.resolve();
    return new Promise((resolve) => session.close(() => resolve()));
  }

  private connection(): http2.ClientHttp2Session {
    const current = this.session;
    if (current !== undefined && !current.closed && !current.destroyed) return current;
    const session = http2.connect(
      this.options.origin,
      this.options.ca === undefined ? {} : { ca: this.options.ca },
    );
    // Errors surface on the requests; without a listener an 'error' event would crash the process.
    session.on('error', () => session.destroy());
    session.on('goaway', () => session.close());
    session.on('close', () => {
      if (this.session === session) this.session = undefined;
    });
    this.session = session;
    return session;
  }

  private request(path: string, headers: Record<string, string>, body: string): Promise<ApnsAnswer> {
    return new Promise((resolve, reject) => {
      const session = this.connection();
      const stream = session.request({ ':method': 'POST', ':path': path, ...headers });
      stream.setTimeout(this.options.requestTimeoutMs, () => stream.close(http2.constants.NGHTTP2_CANCEL));
      let status = 0;
      let retryAfter: string | undefined;
      const chunks: Buffer[] = [];
      stream.on('response', (responseHeaders) => {
        status = Number(responseHeaders[':status']);
        const header = responseHeaders['retry-after'];
        retryAfter = Array.isArray(header) ? header[0] : header;
      });
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', reject);
      stream.on('close', () => {
        if (status === 0) reject(new Error('APNs stream closed without a response'));
        else resolve({ status, retryAfter, body: Buffer.concat(chunks).toString('utf8') });
      });
      stream.end(body);
    });
  }
}
