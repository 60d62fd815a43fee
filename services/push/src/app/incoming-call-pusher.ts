import { type IncomingCallPush } from '../domain/incoming-call-push.js';
import { type PushAttemptOutcome } from '../domain/provider-response.js';
import { maskedToken, providerOf, type PushProviderName, type PushToken } from '../domain/push-token.js';
import { type PushRetryPolicy, retryDelayMs } from '../domain/retry-schedule.js';
import {
  type PushDeliveryLog,
  type PushDeliveryState,
  type PushLogger,
  type PushObserver,
  type PushProvider,
  type PushTokenRegistry,
} from './ports.js';

export interface IncomingCallPusherOptions {
  readonly retry: PushRetryPolicy;
  /** A `CallOffered` older than this is not pushed (a replay, a long outage): the call is over. */
  readonly maxCallAgeMs: number;
}

export interface IncomingCallPusherDependencies {
  readonly deliveries: PushDeliveryLog;
  readonly tokens: PushTokenRegistry;
  /** A provider left out is not configured: its tokens' pushes fail with `provider_not_configured`. */
  readonly providers: Partial<Record<PushProviderName, PushProvider>>;
  readonly observer: PushObserver;
  readonly logger: PushLogger;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly jitter?: () => number;
}

export type PushReport =
  | { readonly kind: 'stale'; readonly ageMs: number }
  | { readonly kind: 'pushed'; readonly results: readonly { token: PushToken; state: PushDeliveryState }[] };

/**
 * Pushes an offered call to each of the callee's tokens, at most once per (event, token).
 *
 * The claim (a `push_delivery` row in state `sending`) commits before anything is sent. A redelivered
 * event — after a crash mid-send, an unconfirmed ack, a replay — finds its tokens claimed and sends
 * nothing to them: a duplicate VoIP push rings the phone twice, and by the time a redelivery arrives
 * (≥ ack_wait) the call has usually been answered elsewhere or given up. Transient provider failures are
 * retried here, with backoff, while the call is fresh; the event is acked once every push is settled.
 */
export class IncomingCallPusher {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly jitter: () => number;

  constructor(
    private readonly deps: IncomingCallPusherDependencies,
    private readonly options: IncomingCallPusherOptions,
  ) {
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.jitter = deps.jitter ?? Math.random;
  }

  async push(call: IncomingCallPush): Promise<PushReport> {
    const ageMs = this.now() - call.offeredAtMs;
    if (!(ageMs <= this.options.maxCallAgeMs)) {
      this.deps.logger.info(
        { eventId: call.eventId, callId: call.ringbusCallId, ageMs },
        'call offered too long ago: not pushed',
      );
      this.deps.observer.settled('none', 'stale');
      return { kind: 'stale', ageMs };
    }
    const claimed = await this.deps.deliveries.claim(call);
    const results = await Promise.all(
      claimed.map(async (token) => ({ token, state: await this.deliver(call, token) })),
    );
    return { kind: 'pushed', results };
  }

  private async deliver(call: IncomingCallPush, token: PushToken): Promise<PushDeliveryState> {
    const providerName = providerOf(token.kind);
    const provider = this.deps.providers[providerName];
    const { outcome, attempts } =
      provider === undefined
        ? { outcome: { kind: 'rejected', reason: 'provider_not_configured' } as const, attempts: 0 }
        : await this.sendWithRetries(provider, call, token);
    const log = {
      eventId: call.eventId,
      callId: call.ringbusCallId,
      kind: token.kind,
      token: maskedToken(token.token),
      attempts,
    };
    let state: PushDeliveryState;
    switch (outcome.kind) {
      case 'accepted':
        state = 'sent';
        this.deps.observer.accepted(providerName, Math.max(0, this.now() - call.offeredAtMs) / 1000);
        this.deps.logger.info(log, 'incoming-call push accepted');
        break;
      case 'token_invalid':
        state = 'token_invalid';
        await this.deps.tokens.removeInvalid(token.tenant, token.kind, token.token);
        this.deps.logger.info({ ...log, reason: outcome.reason }, 'push token reported invalid: removed');
        break;
      default:
        state = 'failed';
        this.deps.logger.warn({ ...log, reason: outcome.reason }, 'incoming-call push failed');
    }
    await this.deps.deliveries.settle(
      call.eventId,
      token,
      state,
      outcome.kind === 'accepted' ? '' : outcome.reason,
    );
    this.deps.observer.settled(providerName, state);
    return state;
  }

  private async sendWithRetries(
    provider: PushProvider,
    call: IncomingCallPush,
    token: PushToken,
  ): Promise<{ outcome: PushAttemptOutcome; attempts: number }> {
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await provider.send(call, token);
      if (outcome.kind !== 'retry') return { outcome, attempts: attempt };
      const delay = retryDelayMs(this.options.retry, attempt, this.jitter(), outcome.retryAfterMs);
      const ageAfterWait = this.now() + (delay ?? 0) - call.offeredAtMs;
      if (delay === undefined || ageAfterWait > this.options.maxCallAgeMs) {
        return {
          outcome: { kind: 'rejected', reason: `retries_exhausted:${outcome.reason}` },
          attempts: attempt,
        };
      }
      await this.sleep(delay);
    }
  }
}
