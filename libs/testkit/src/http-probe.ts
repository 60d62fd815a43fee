import { request } from 'node:http';

export interface HttpReply {
  readonly status: number;
  readonly body: string;
}

/**
 * One GET on its own connection (no keep-alive), so a server under test can shut down without waiting
 * for an idle socket the test still holds.
 */
export function httpGet(url: string, timeoutMs = 2_000): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} got no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface WaitForHttpOptions {
  /** Total time to keep trying (default 15 s). */
  readonly timeoutMs?: number;
  /** Status that counts as ready (default 200). */
  readonly status?: number;
  /** Stops waiting early, e.g. when the process that should answer has exited; returns why. */
  readonly abortWhen?: () => string | undefined;
}

/** Polls `url` until it answers with the expected status; resolves with that reply. */
export async function waitForHttp(url: string, options: WaitForHttpOptions = {}): Promise<HttpReply> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const expected = options.status ?? 200;
  const deadline = performance.now() + timeoutMs;
  let last = 'no attempt';
  for (;;) {
    const aborted = options.abortWhen?.();
    if (aborted !== undefined) throw new Error(`gave up waiting for ${url}: ${aborted}`);
    try {
      const reply = await httpGet(url, 1_000);
      if (reply.status === expected) return reply;
      last = `status ${reply.status}: ${reply.body.slice(0, 300)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (performance.now() >= deadline) {
      throw new Error(`${url} did not answer ${expected} within ${timeoutMs} ms (last: ${last})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
