import { JanusPluginRefusedError, JanusRequestError } from '../../domain/errors.js';
import { type OutgoingSipCall, type SipAccount } from '../../app/ports.js';
import { type SipLineHandle } from './sip-line-handle.js';

/**
 * The SIP plugin requests of one handle, each settling on the event that answers it (sip-line-handle.ts).
 * A refusal of the plugin throws JanusPluginRefusedError (its code goes back to the softphone); anything
 * else (a timeout, a closed connection) JanusRequestError.
 */
export abstract class SipHandleRequests {
  constructor(
    protected readonly handle: SipLineHandle,
    readonly gatewayId: string,
    private readonly requestTimeoutMs: number,
  ) {}

  async startGuest(account: SipAccount): Promise<void> {
    const body: Record<string, unknown> = { request: 'register', type: 'guest', username: account.identity };
    if (account.displayName !== undefined) body['display_name'] = account.displayName;
    await this.request('register', body);
  }

  async call(call: OutgoingSipCall): Promise<void> {
    const body: Record<string, unknown> = { request: 'call', uri: call.uri, call_id: call.sipCallId };
    if (call.credentials !== undefined) {
      body['authuser'] = call.credentials.authUser;
      body['secret'] = call.credentials.secret;
    }
    await this.request('call', body, { type: 'offer', sdp: call.offerSdp });
  }

  async hangup(): Promise<void> {
    await this.request('hangup', { request: 'hangup' });
  }

  async hold(direction: 'sendonly' | 'recvonly' | 'inactive'): Promise<void> {
    await this.request('hold', { request: 'hold', direction });
  }

  async unhold(): Promise<void> {
    await this.request('unhold', { request: 'unhold' });
  }

  async sendDtmfDigit(digit: string, durationMs: number): Promise<void> {
    const body: Record<string, unknown> = { request: 'dtmf_info', digit };
    if (durationMs > 0) body['duration'] = durationMs;
    await this.request('dtmf_info', body);
  }

  async update(offerSdp: string): Promise<void> {
    await this.request('update', { request: 'update' }, { type: 'offer', sdp: offerSdp });
  }

  async trickle(candidate: Readonly<Record<string, unknown>> | undefined): Promise<void> {
    try {
      await this.handle.trickle(candidate);
    } catch (error) {
      throw new JanusRequestError(this.gatewayId, 'trickle', { cause: error });
    }
  }

  async accept(answerSdp: string): Promise<void> {
    await this.request('accept', { request: 'accept' }, { type: 'answer', sdp: answerSdp });
  }

  async decline(sipCode: number): Promise<void> {
    await this.request('decline', { request: 'decline', code: sipCode });
  }

  protected async request(
    name: string,
    body: Record<string, unknown>,
    jsep?: { type: 'offer' | 'answer'; sdp: string },
  ): Promise<void> {
    try {
      await this.handle.request(body, this.requestTimeoutMs, jsep);
    } catch (error) {
      if (error instanceof JanusPluginRefusedError) throw error;
      throw new JanusRequestError(this.gatewayId, name, { cause: error });
    }
  }
}
