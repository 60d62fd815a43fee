import { callIdOfStream } from '@ringbus/call-domain';
import { type CallDetailRecord } from '../domain/call-detail-record.js';
import { type CdrEventProblem, type StoredCallEvent } from '../domain/cdr-event.js';
import { foldCdrEvent } from '../domain/cdr-fold.js';
import { type NumberPlan } from '../domain/phone-number.js';
import { CdrEventUnreadableError, CdrWriteContentionError } from './errors.js';
import { type CallStreamReader, type CdrStore } from './ports.js';

export type CdrApplyOutcome = 'applied' | 'duplicate' | 'not_a_call';

/** What the projection reports; logs carry ids and codes, never numbers or payloads. */
export interface CdrProjectionLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

// Only two writers of one call at once (a redelivery overtaking a slow instance) can make a save miss.
const MAX_SAVE_ATTEMPTS = 5;

/**
 * The live CDR projection: folds each delivered call event into its call's row, once.
 *
 * Idempotent by stream version: the row keeps the version of the last event folded in, an event at or
 * below it is a duplicate (a redelivery, or the same event under a second message id), and the write is
 * conditional on the version read, in one statement. An event above the next version means the bus
 * skipped some (dead letters): the missing ones are read from the event store and folded first, in
 * order. So the row is always the fold of the call's stream up to some version — what a rebuild makes.
 */
export class CdrProjection {
  constructor(
    private readonly store: CdrStore,
    private readonly streams: CallStreamReader,
    private readonly plan: NumberPlan,
    private readonly logger: CdrProjectionLogger,
  ) {}

  async apply(event: StoredCallEvent): Promise<CdrApplyOutcome> {
    const callId = callIdOfStream(event.streamId);
    if (callId === undefined) return 'not_a_call';
    for (let attempt = 1; attempt <= MAX_SAVE_ATTEMPTS; attempt += 1) {
      const current = await this.store.load(callId);
      const last = current?.lastStreamVersion ?? 0;
      if (event.streamVersion <= last) return 'duplicate';
      const events =
        event.streamVersion === last + 1
          ? [event]
          : await this.streams.readCallStream(event.streamId, last + 1, event.streamVersion);
      const { cdr, skipped } = this.fold(current, events);
      const own = skipped.find((problem) => problem.eventId === event.eventId);
      if (cdr !== current && cdr !== undefined && !(await this.store.save(cdr, last))) continue;
      for (const problem of skipped) {
        if (problem !== own) this.report(callId, problem);
      }
      // Dead-lettered by the bus; its later events fold without it, as a rebuild does.
      if (own !== undefined) throw new CdrEventUnreadableError(own);
      return 'applied';
    }
    throw new CdrWriteContentionError(callId);
  }

  private fold(
    current: CallDetailRecord | undefined,
    events: readonly StoredCallEvent[],
  ): { cdr: CallDetailRecord | undefined; skipped: CdrEventProblem[] } {
    let cdr = current;
    const skipped: CdrEventProblem[] = [];
    for (const event of events) {
      const step = foldCdrEvent(cdr, event, this.plan);
      if (step.kind === 'applied') cdr = step.cdr;
      else skipped.push(step.problem);
    }
    return { cdr, skipped };
  }

  private report(callId: string, problem: CdrEventProblem): void {
    this.logger.warn(
      { callId, eventId: problem.eventId, type: problem.type, code: problem.code, reason: problem.message },
      'call event left out of its CDR',
    );
  }
}
