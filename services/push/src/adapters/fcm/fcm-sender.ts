import { type PushProvider } from '../../app/ports.js';
import { fcmSendBodyFor, type IncomingCallPush } from '../../domain/incoming-call-push.js';
import { classifyFcmResponse, type PushAttemptOutcome } from '../../domain/provider-response.js';
import { type PushToken } from '../../domain/push-token.js';
import { PushAuthError } from '../../app/errors.js';
import { type FcmAccessTokens } from './fcm-access-token.js';

export interface FcmSenderOptions {
  /** e.g. `https://fcm.googleapis.com`; the path `/v1/projects/<project>/messages:send` is added. */
  readonly baseUrl: string;
  readonly projectId: string;
  readonly ttlSeconds: number;
  readonly requestTimeoutMs: number;
}

/** One FCM HTTP v1 `messages:send` per call; the answer classified, never thrown. */
export class FcmSender implements PushProvider {
  private readonly sendUrl: string;

  constructor(
    private readonly accessTokens: FcmAccessTokens,
    private readonly options: FcmSenderOptions,
  ) {
    this.sendUrl = `${options.baseUrl.replace(/\/+$/, '')}/v1/projects/${encodeURIComponent(options.projectId)}/messages:send`;
  }

  async send(push: IncomingCallPush, token: PushToken): Promise<PushAttemptOutcome> {
    let accessToken: string;
    try {
      accessToken = await this.accessTokens.current();
    } catch (error) {
      if (error instanceof PushAuthError && error.retryable) return { kind: 'retry', reason: error.code };
      return { kind: 'rejected', reason: error instanceof PushAuthError ? error.code : 'FCM_AUTH_FAILED' };
    }
    let response: Response;
    try {
      response = await fetch(this.sendUrl, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${accessToken}`,
          'content-type': 'application/json; charset=utf-8',
        },
        body: JSON.stringify(fcmSendBodyFor(push, token, this.options.ttlSeconds)),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      });
    } catch {
      return { kind: 'retry', reason: 'FCM_UNREACHABLE' };
    }
    const body: unknown = await response.json().catch(() => undefined);
    const outcome = classifyFcmResponse(
      response.status,
      body,
      response.headers.get('retry-after') ?? undefined,
      Date.now(),
    );
    if (outcome.kind === 'retry' && outcome.refreshAuth === true) this.accessTokens.invalidate();
    return outcome;
  }
}
