import type { KeepaliveHandshake, SignalingResponse } from '@ringbus/softphone-protocol';
import { SignalingTimeoutError, type SignalingTimeoutCode } from './client-errors.js';

export type TransactionAnswer = SignalingResponse | KeepaliveHandshake;

interface Pending {
  readonly resolve: (answer: TransactionAnswer) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * Requests (and keep-alives) waiting for the one answer that carries their transaction id. An answer that
 * comes after its timeout finds nothing here and is dropped, as both public clients do.
 */
export class PendingTransactions {
  private readonly byId = new Map<string, Pending>();
  private counter = 0;

  /** Ids are `transaction-<digits>`, the form both public clients use. */
  nextId(): string {
    this.counter += 1;
    return `transaction-${this.counter}`;
  }

  open(
    id: string,
    timeoutCode: SignalingTimeoutCode,
    what: string,
    timeoutMs: number,
  ): Promise<TransactionAnswer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.byId.delete(id);
        reject(new SignalingTimeoutError(timeoutCode, `no answer to ${what} (${id})`, timeoutMs));
      }, timeoutMs);
      this.byId.set(id, { resolve, reject, timer });
    });
  }

  /** Settles the transaction an answer belongs to; false when none waits for it. */
  settle(id: unknown, answer: TransactionAnswer): boolean {
    if (typeof id !== 'string') return false;
    const pending = this.byId.get(id);
    if (pending === undefined) return false;
    this.byId.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(answer);
    return true;
  }

  fail(id: unknown, error: unknown): boolean {
    if (typeof id !== 'string') return false;
    const pending = this.byId.get(id);
    if (pending === undefined) return false;
    this.byId.delete(id);
    clearTimeout(pending.timer);
    pending.reject(error);
    return true;
  }

  failAll(error: () => unknown): void {
    for (const [id, pending] of this.byId) {
      this.byId.delete(id);
      clearTimeout(pending.timer);
      pending.reject(error());
    }
  }
}
