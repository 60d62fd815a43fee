import { type CallDetailRecord } from '../domain/call-detail-record.js';
import { type BillingRecord } from '../domain/billing-record.js';
import { type StoredCallEvent } from '../domain/cdr-event.js';

/** The CDR table as the live projection uses it: one row per call, written only forward. */
export interface CdrStore {
  load(callId: string): Promise<CallDetailRecord | undefined>;
  /**
   * Writes `cdr` only if the stored row is still at `expectedVersion` (0: no row yet), in one atomic
   * statement. False when the row moved on meanwhile (another instance, a redelivery racing this one).
   */
  save(cdr: CallDetailRecord, expectedVersion: number): Promise<boolean>;
}

/** A call stream read back from the event store, to fill a gap the bus left (a dead-lettered event). */
export interface CallStreamReader {
  /** Events of `streamId` from `fromVersion` through `toVersion`, in stream order. */
  readCallStream(
    streamId: string,
    fromVersion: number,
    toVersion: number,
  ): Promise<readonly StoredCallEvent[]>;
}

/** A position in the store's global order, as the store writes it (compares as a string). */
export type LogPosition = string;

export interface CallEventPage {
  /** Call events of the page, in global order. */
  readonly events: readonly StoredCallEvent[];
  /** Where the next page starts (after the last event read, call event or not); unchanged when empty. */
  readonly next: LogPosition;
  /** Events read, call events or not; 0 at the end of the log. */
  readonly read: number;
}

/** The event store in global order, page by page, as a rebuild reads it. */
export interface CallEventLog {
  readonly start: LogPosition;
  readPage(after: LogPosition, maxCount: number): Promise<CallEventPage>;
}

/**
 * A new CDR table being filled beside the live one. `write` may be called many times with rows of
 * different calls (each call once); `swap` replaces the live table in one transaction, after `catchUp`
 * has written, under a lock that holds the live projection back, what was appended meanwhile.
 */
export interface CdrRebuildTarget {
  write(rows: readonly CallDetailRecord[]): Promise<void>;
  swap(catchUp: () => Promise<readonly CallDetailRecord[]>): Promise<void>;
  /** Drops the new table; the live one is untouched. */
  abandon(): Promise<void>;
}

/** Something a billing system said it could not read or give, reported beside the comparison. */
export interface BillingSourceProblem {
  /** Where: `calls.csv line 7, column start_time`, `portabilling page 3`. */
  readonly where: string;
  readonly message: string;
}

export interface BillingRecordBatch {
  readonly records: readonly BillingRecord[];
  readonly problems: readonly BillingSourceProblem[];
}

/**
 * The billing system as reconciliation sees it: the records of calls that started in a period. One
 * adapter per system (docs/billing.md, "Plugging in a billing system"): the built-in one (Ringbus is the
 * system of record; its records are the CDRs), a CSV export, PortaBilling.
 */
export interface BillingSystem {
  /** For the report: `ringbus`, `csv calls.csv`, `portabilling`. */
  readonly name: string;
  /** Records of calls that started in [fromMs, toMs). Records it cannot read are problems, not errors. */
  recordsBetween(fromMs: number, toMs: number): Promise<BillingRecordBatch>;
}
