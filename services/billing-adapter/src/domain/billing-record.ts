import { CDR_DISPOSITIONS, type CdrDisposition } from './call-detail-record.js';

/**
 * One call as a billing system recorded it, in the terms reconciliation compares: the ids that match it
 * to a Ringbus call (our callId, or a SIP Call-ID: ours for outgoing calls, the carrier's for incoming
 * ones), when it started, how many seconds it billed, and how it ended. Every billing adapter (the
 * built-in one, a CSV file, PortaBilling) turns its own records into these.
 */
export interface BillingRecord {
  /** Where the record came from, for the report: `csv line 7`, `portabilling i_xdr 8812`, `cdr`. */
  readonly source: string;
  /** Ringbus's callId when the billing system kept it; '' when not. */
  readonly callId: string;
  /** The SIP Call-ID the billing system saw; '' when not known. */
  readonly sipCallId: string;
  /** Epoch milliseconds (UTC) of the call's start as the billing system recorded it. */
  readonly startedAtMs: number;
  /** Charged (or connected) seconds. */
  readonly durationSeconds: number;
  /** The billing system's disposition mapped to ours; null when it does not say. */
  readonly disposition: CdrDisposition | null;
}

/** A disposition word as billing systems write it, mapped to ours; undefined when not recognised. */
export function dispositionOfBillingWord(word: string): CdrDisposition | null | undefined {
  const normalised = word
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (normalised === '') return null;
  if ((CDR_DISPOSITIONS as readonly string[]).includes(normalised)) return normalised as CdrDisposition;
  switch (normalised) {
    case 'noanswer':
      return 'no_answer';
    case 'canceled':
      return 'cancelled';
    case 'failure':
      return 'failed';
    default:
      return undefined;
  }
}
