export type FrameVerdict = 'admit' | 'refuse' | 'close';

export interface FrameRateLimitSettings {
  /** Frames per second admitted on average. */
  readonly ratePerSecond: number;
  /** Frames admitted at once after a quiet period. */
  readonly burst: number;
  /** Refused frames in a row after which the socket is closed. */
  readonly closeAfter: number;
}

/**
 * A token bucket per socket. A frame over the budget is refused (answered with an error when it can be);
 * a socket that keeps sending regardless is closed. Time comes in with each frame.
 */
export class FrameRateLimit {
  private tokens: number;
  private lastMs: number | undefined;
  private refusedInARow = 0;

  constructor(private readonly settings: FrameRateLimitSettings) {
    this.tokens = settings.burst;
  }

  admit(nowMs: number): FrameVerdict {
    if (this.lastMs !== undefined && nowMs > this.lastMs) {
      const refill = ((nowMs - this.lastMs) / 1000) * this.settings.ratePerSecond;
      this.tokens = Math.min(this.settings.burst, this.tokens + refill);
    }
    this.lastMs = this.lastMs === undefined ? nowMs : Math.max(this.lastMs, nowMs);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.refusedInARow = 0;
      return 'admit';
    }
    this.refusedInARow += 1;
    return this.refusedInARow >= this.settings.closeAfter ? 'close' : 'refuse';
  }
}
