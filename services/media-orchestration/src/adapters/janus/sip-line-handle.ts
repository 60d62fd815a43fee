import { type JanodeSession, type JanusMessage } from 'janode';
import Handle from 'janode/handle';
import { JanusPluginRefusedError } from '../../domain/errors.js';
import { parseSipPluginMessage, type SipLegEvent } from '../../domain/sip-leg-event.js';

export const SIP_PLUGIN_ID = 'janus.plugin.sip';

// SIP plugin events that answer one of our requests: register, call, hangup, hold, unhold, dtmf_info,
// update, accept (`accepted` when we sent an answer, `accepting` for an offerless INVITE), decline. Janus's
// later `accepted` of an outgoing call carries the transaction of a `call` already closed by `calling`.
const SUCCESS_REPLIES: ReadonlySet<string> = new Set([
  'accepted',
  'registered',
  'calling',
  'hangingup',
  'holding',
  'resuming',
  'dtmfsent',
  'updating',
  'accepting',
  'declining',
]);
// Events that end a request still waiting for its answer (a hangup before `calling` answers a `call`).
const FAILURE_REPLIES: ReadonlySet<string> = new Set(['registration_failed', 'hangup']);

/**
 * A janode handle for the SIP plugin that hands every plugin event to one listener, raw, instead of
 * janode's SIP wrapper (which rejects `progress`, `holding`, `resuming`, `dtmfsent` as "unmanaged event").
 * It closes a request's transaction on the event that answers it, so `sendRequest` settles there.
 */
export class SipLineHandle extends Handle {
  private listener: ((event: SipLegEvent) => void) | undefined;
  private pendingRegister: string | undefined;
  private idleListener: ((event: SipLegEvent) => void) | undefined;

  constructor(session: JanodeSession, id: number) {
    super(session, id);
  }

  /** The one listener of the handle's plugin events; `undefined` to stop listening (a handle going idle). */
  listen(listener: ((event: SipLegEvent) => void) | undefined): void {
    this.listener = listener;
  }

  /** Stops `listener` if it is still the one listening (a newer call may have taken the handle since). */
  stopListening(listener: (event: SipLegEvent) => void): void {
    if (this.listener === listener) this.listener = undefined;
  }

  /**
   * For a registered handle: who hears the events no call listens to, and every `incomingcall` (a new
   * INVITE is never part of the call before it, even while that call's handle is still winding down).
   */
  listenBetweenCalls(listener: (event: SipLegEvent) => void): void {
    this.idleListener = listener;
  }

  /** Sends a SIP plugin request; settles when the event that answers it arrives (or after `timeoutMs`). */
  async request(
    body: Record<string, unknown>,
    timeoutMs: number,
    jsep?: { type: 'offer' | 'answer'; sdp: string },
  ): Promise<JanusMessage> {
    const message: Record<string, unknown> = { janus: 'message', body };
    if (jsep !== undefined) message['jsep'] = jsep;
    this.decorateRequest(message);
    // A real REGISTER's `registered` (or `registration_failed`) comes later and without our transaction.
    if (body['request'] === 'register') this.pendingRegister = String(message['transaction']);
    return this.sendRequest(message, timeoutMs);
  }

  override handleMessage(message: JanusMessage): unknown {
    const event = parseSipPluginMessage(message);
    if (event === undefined) return null;
    const answersRegister =
      event.kind === 'plugin' && (event.name === 'registered' || event.name === 'registration_failed');
    const transaction = message.transaction ?? (answersRegister ? this.pendingRegister : undefined);
    if (answersRegister) this.pendingRegister = undefined;
    if (transaction !== undefined && this.ownsTransaction(transaction)) {
      if (event.kind === 'plugin-error') {
        this.closeTransactionWithError(
          transaction,
          new JanusPluginRefusedError(event.errorCode, event.error),
        );
      } else if (event.kind === 'plugin' && SUCCESS_REPLIES.has(event.name)) {
        this.closeTransactionWithSuccess(transaction, message);
      } else if (event.kind === 'plugin' && FAILURE_REPLIES.has(event.name)) {
        this.closeTransactionWithError(
          transaction,
          new Error(`${event.code ?? 0} ${event.reason ?? event.name}`.trim()),
        );
      }
    }
    const newCall =
      event.kind === 'plugin' && (event.name === 'incomingcall' || event.name === 'missed_call');
    const listener = newCall ? (this.idleListener ?? this.listener) : (this.listener ?? this.idleListener);
    listener?.(event);
    return event;
  }
}
