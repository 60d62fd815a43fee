import { setTimeout as sleep } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import { type CallCommandContext, type CallCommandHandler } from '@ringbus/call-commands';
import { CallCommandRejectedError } from '@ringbus/call-domain';
import { isRetryable } from '@ringbus/errors';
import { type ServiceLogger } from '@ringbus/service-kit';
import { callCommandFor } from '../domain/call-command-for.js';
import { type CallUpdate } from '../domain/sip-leg-translation.js';

/** Which call a recording is for, and where it runs. */
export interface RecordedCall {
  readonly callId: string;
  readonly sipCallId: string;
  readonly gatewayId: string;
  readonly region: string;
  readonly context: CallCommandContext;
}

/**
 * - `recorded`: the stream now holds the fact (or held it already: SIP and Janus repeat themselves).
 * - `rejected`: the call cannot take it, typically because it ended meanwhile (our user hung up while the
 *   callee answered): the caller should make Janus drop the leg.
 */
export type RecordingOutcome = 'recorded' | 'rejected';

const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [100, 500, 2_000, 5_000];

/** Turns call updates into commands through the one call command handler, retrying what may pass later. */
export class CallRecorder {
  constructor(
    private readonly handleCommand: CallCommandHandler,
    private readonly logger: ServiceLogger,
    private readonly newCommandId: () => string = uuidv7,
    private readonly retryDelaysMs: readonly number[] = DEFAULT_RETRY_DELAYS_MS,
  ) {}

  /**
   * Records `update` as having happened at `occurredAtMs`. Throws when a retryable failure (PostgreSQL
   * away, a write race that would not settle) outlasts the retries; the caller keeps its claim on the call
   * then, so a restart ends it.
   */
  async record(update: CallUpdate, call: RecordedCall, occurredAtMs: number): Promise<RecordingOutcome> {
    const command = callCommandFor(update, { ...call, commandId: this.newCommandId(), occurredAtMs });
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.handleCommand(command, call.context);
        return 'recorded';
      } catch (error) {
        if (error instanceof CallCommandRejectedError) {
          this.logger.info(
            { callId: call.callId, update: update.kind, code: error.code, status: error.status },
            'the call did not take this update',
          );
          return 'rejected';
        }
        const delayMs = this.retryDelaysMs[attempt];
        if (!isRetryable(error) || delayMs === undefined) throw error;
        this.logger.warn(
          { callId: call.callId, update: update.kind, attempt: attempt + 1, delayMs, err: error },
          'recording a call update failed; retrying',
        );
        await sleep(delayMs);
      }
    }
  }
}
