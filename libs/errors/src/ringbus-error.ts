/** What every Ringbus error looks like in a log line or an error reply. */
export interface RingbusErrorJson<Code extends string = string> {
  readonly name: string;
  readonly code: Code;
  readonly message: string;
  readonly retryable: boolean;
}

/**
 * The base of every error Ringbus throws: a stable `code` to branch on, whether trying again unchanged
 * may help, and the `cause` that led to it.
 */
export abstract class RingbusError<Code extends string = string> extends Error {
  abstract readonly code: Code;
  /** True when the same call may succeed if tried again unchanged. */
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /**
   * The same four fields everywhere, so logs and replies read alike. The cause is left out on purpose:
   * a driver's error can carry a connection string, a token or a subscriber's number.
   */
  toJSON(): RingbusErrorJson<Code> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable };
  }
}

/** True only for a Ringbus error that says trying again may succeed; anything unknown is not retried. */
export function isRetryable(error: unknown): boolean {
  return error instanceof RingbusError && error.retryable;
}
