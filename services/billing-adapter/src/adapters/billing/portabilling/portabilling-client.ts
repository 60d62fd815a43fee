import { BillingSystemRefusedError, BillingSystemUnavailableError } from '../../../app/errors.js';
import {
  isSessionFault,
  loginParams,
  type PortaBillingMethod,
  PORTABILLING_METHODS,
  portaBillingRequest,
  readPortaBillingReply,
  sessionIdOfLogin,
} from './portabilling-protocol.js';

export interface PortaBillingClientOptions {
  /** `https://billing.example:443`; paths `/rest/...` are added. */
  readonly baseUrl: string;
  readonly login: string;
  readonly password: string;
  /** Per request (default 10 s). */
  readonly timeoutMs?: number;
  /** Attempts per request on a network error, a timeout or a 502/503/504 (default 3). */
  readonly attempts?: number;
  /** First backoff between attempts, doubled each time (default 500 ms). */
  readonly backoffMs?: number;
}

const SYSTEM = 'PortaBilling';

/**
 * A PortaBilling JSON API session: logs in on first use, sends each method with the session id, logs in
 * again once when the session is gone, retries transient failures with backoff, and bounds each request
 * with a timeout. Request bodies and replies go through the pure functions of portabilling-protocol.ts.
 * The password and session id are never put in an error message.
 */
export class PortaBillingClient {
  private sessionId: string | null = null;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(private readonly options: PortaBillingClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.backoffMs = options.backoffMs ?? 500;
  }

  async call(
    method: PortaBillingMethod,
    params: Readonly<Record<string, unknown>>,
  ): Promise<Record<string, unknown>> {
    const sessionId = this.sessionId ?? (await this.login());
    const reply = await this.send(method, params, sessionId);
    if (reply.kind === 'result') return reply.result;
    if (isSessionFault(reply.faultcode)) {
      this.sessionId = null;
      const again = await this.send(method, params, await this.login());
      if (again.kind === 'result') return again.result;
      throw new BillingSystemRefusedError(SYSTEM, again.faultcode, again.faultstring);
    }
    throw new BillingSystemRefusedError(SYSTEM, reply.faultcode, reply.faultstring);
  }

  private async login(): Promise<string> {
    const reply = await this.send(
      PORTABILLING_METHODS.login,
      loginParams(this.options.login, this.options.password),
      null,
    );
    if (reply.kind === 'fault') throw new BillingSystemRefusedError(SYSTEM, reply.faultcode, 'at login');
    const sessionId = sessionIdOfLogin(reply.result);
    if (sessionId === undefined)
      throw new BillingSystemUnavailableError(SYSTEM, 'the login answer has no session_id');
    this.sessionId = sessionId;
    return sessionId;
  }

  /** One method call with retries of transient failures; a result or a fault. */
  private async send(
    method: PortaBillingMethod,
    params: Readonly<Record<string, unknown>>,
    sessionId: string | null,
  ): Promise<
    | { kind: 'result'; result: Record<string, unknown> }
    | { kind: 'fault'; faultcode: string; faultstring: string }
  > {
    const request = portaBillingRequest(method, params, sessionId);
    const url = new URL(request.path, this.options.baseUrl);
    let lastProblem = '';
    let lastCause: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt += 1) {
      if (attempt > 1) await sleep(this.backoffMs * 2 ** (attempt - 2));
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: request.body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        const text = await response.text();
        if (response.status === 502 || response.status === 503 || response.status === 504) {
          lastProblem = `${method}: HTTP ${response.status}`;
          continue;
        }
        const reply = readPortaBillingReply(response.status, text);
        if (reply.kind === 'unreadable') {
          lastProblem = `${method}: ${reply.message}`;
          continue;
        }
        return reply.kind === 'result' ? { kind: 'result', result: { ...reply.result } } : reply;
      } catch (error) {
        lastCause = error;
        lastProblem =
          error instanceof Error && error.name === 'TimeoutError'
            ? `${method}: no answer within ${this.timeoutMs} ms`
            : `${method}: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    throw new BillingSystemUnavailableError(SYSTEM, `${lastProblem} (after ${this.attempts} attempts)`, {
      cause: lastCause,
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
