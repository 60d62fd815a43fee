export interface RequestRateLimitSettings {
  /** Requests per second a key may make on average. */
  readonly ratePerSecond: number;
  /** Requests a key may make at once after a quiet period. */
  readonly burst: number;
  /** Keys tracked at most; the least recently seen are forgotten first (a forgotten key starts full). */
  readonly maxKeys: number;
}

export type RateVerdict =
  { readonly admitted: true } | { readonly admitted: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  lastMs: number;
}

/** A token bucket per key (a client address, a login). Time comes in with each request. */
export class RequestRateLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly settings: RequestRateLimitSettings) {}

  admit(key: string, nowMs: number): RateVerdict {
    const { ratePerSecond, burst } = this.settings;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: burst, lastMs: nowMs };
      if (this.buckets.size >= this.settings.maxKeys) {
        const oldest = this.buckets.keys().next();
        if (oldest.done !== true) this.buckets.delete(oldest.value);
      }
    } else {
      this.buckets.delete(key);
      if (nowMs > bucket.lastMs) {
        bucket.tokens = Math.min(burst, bucket.tokens + ((nowMs - bucket.lastMs) / 1000) * ratePerSecond);
        bucket.lastMs = nowMs;
      }
    }
    // Re-inserted last: the map's order is the order keys were last seen.
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { admitted: true };
    }
    return { admitted: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / ratePerSecond) * 1000) };
  }
}
