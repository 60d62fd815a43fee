import Janode from 'janode';
import { type ServiceLogger } from '@ringbus/service-kit';
import { JanusRequestError } from '../../domain/errors.js';
import { type SipLegEvent } from '../../domain/sip-leg-event.js';
import {
  type IncomingSipCall,
  type RegisteredAccount,
  type SipRegistrar,
  type SipRegistration,
} from '../../app/ports.js';
import { type JanusGatewayPool, type RegistrationHome } from './janus-gateway-pool.js';
import { JanusSipLine } from './janus-sip-line.js';
import { type SipLineHandle } from './sip-line-handle.js';

// Handles beyond the account's lines: the line count is enforced by signaling (a call with no free line
// is declined 486 and shown as missed), so Janus itself should never be the one to find every handle busy
// (it answers 486 on its own then, and we learn nothing but a `missed_call`). Janus counts a handle busy
// for seconds after its call ended (its SIP transaction and media thread winding down: three declined
// calls in a row found every one of three handles busy in our tests), and an idle handle costs Janus
// next to nothing, hence four.
const SPARE_HANDLES = 4;

/**
 * Registers accounts through Janus's SIP plugin: a master handle that sends the REGISTER, plus helper
 * handles (`type: helper`, the master's `master_id`) that Janus hands an INVITE to when the master is in
 * a call. An idle handle's `incomingcall` becomes a JanusSipLine for that one call; when the call is
 * over the handle goes back to waiting for the next INVITE.
 */
export class JanusSipRegistrar implements SipRegistrar {
  constructor(
    private readonly pool: JanusGatewayPool,
    private readonly region: string,
    private readonly logger: ServiceLogger,
  ) {}

  async register(
    account: RegisteredAccount,
    onIncoming: (call: IncomingSipCall) => void,
  ): Promise<SipRegistration> {
    const home = this.pool.registrationHome(this.region);
    const registration = new JanusAccountRegistration(account, home, onIncoming, this.logger);
    try {
      await registration.open(account.lines + SPARE_HANDLES);
    } catch (error) {
      await registration.close();
      throw error;
    }
    return registration;
  }
}

class JanusAccountRegistration implements SipRegistration {
  private readonly handles: SipLineHandle[] = [];
  private closed = false;
  private markLost: (why: string) => void = () => undefined;
  readonly lost = new Promise<string>((resolve) => {
    this.markLost = resolve;
  });

  constructor(
    private readonly account: RegisteredAccount,
    private readonly home: RegistrationHome,
    private readonly onIncoming: (call: IncomingSipCall) => void,
    private readonly logger: ServiceLogger,
  ) {}

  get gatewayId(): string {
    return this.home.gatewayId;
  }

  async open(handleCount: number): Promise<void> {
    const master = await this.attach();
    const body: Record<string, unknown> = {
      request: 'register',
      username: this.account.identity,
      proxy: this.account.registrar,
    };
    if (this.account.secret !== undefined) body['secret'] = this.account.secret;
    if (this.account.authUser !== undefined) body['authuser'] = this.account.authUser;
    if (this.account.displayName !== undefined) body['display_name'] = this.account.displayName;
    const registered = await this.request(master, 'register', body);
    const masterId = masterIdOf(registered);
    for (let i = 1; i < handleCount; i += 1) {
      const helper = await this.attach();
      await this.request(helper, 'register (helper)', {
        request: 'register',
        type: 'helper',
        username: this.account.identity,
        master_id: masterId ?? master.id,
      });
    }
    this.logger.info(
      { userId: this.account.userId, gatewayId: this.gatewayId, handles: handleCount },
      'SIP account registered',
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Detaching the master unregisters nothing by itself: say so to the registrar first.
    const master = this.handles[0];
    if (master !== undefined) {
      await master.request({ request: 'unregister' }, this.home.requestTimeoutMs).catch(() => undefined);
    }
    await Promise.all(this.handles.map((handle) => handle.detach().catch(() => undefined)));
    this.markLost('the registration was closed');
  }

  private async attach(): Promise<SipLineHandle> {
    const handle = await this.home.attachHandle();
    this.handles.push(handle);
    this.waitForCalls(handle);
    handle.once(Janode.EVENT.HANDLE_DETACHED, () => {
      if (!this.closed) this.markLost(this.home.lossReason());
    });
    return handle;
  }

  /** The registration hears every `incomingcall` of the handle, and what no call listens to. */
  private waitForCalls(handle: SipLineHandle): void {
    handle.listenBetweenCalls((event) => this.onIdleEvent(handle, event));
  }

  private onIdleEvent(handle: SipLineHandle, event: SipLegEvent): void {
    if (event.kind !== 'plugin') return;
    if (event.name === 'missed_call') {
      this.logger.warn(
        { userId: this.account.userId, carrierSipCallId: event.sipCallId },
        'Janus refused an incoming call with 486: every handle of the account was busy',
      );
      return;
    }
    if (event.name !== 'incomingcall' || event.jsep?.type !== 'offer') return;
    this.home.takeSlot();
    const line = new JanusSipLine(handle, {
      gatewayId: this.home.gatewayId,
      region: this.home.region,
      requestTimeoutMs: this.home.requestTimeoutMs,
      keepsHandle: true,
      slotFreed: () => this.home.giveSlotBack(),
      // The handle stays the registration's: it already waits for the next call (listenBetweenCalls).
      recycle: () => undefined,
      lossReason: () => this.home.lossReason(),
    });
    this.onIncoming({
      line,
      caller: event.username ?? '',
      callerDisplayName: event.displayName ?? '',
      callee: event.callee ?? this.account.identity,
      sdpOffer: event.jsep.sdp,
      carrierSipCallId: event.sipCallId ?? '',
    });
  }

  private async request(
    handle: SipLineHandle,
    name: string,
    body: Record<string, unknown>,
  ): Promise<unknown> {
    try {
      return await handle.request(body, this.home.requestTimeoutMs);
    } catch (error) {
      throw new JanusRequestError(this.home.gatewayId, name, { cause: error });
    }
  }
}

function masterIdOf(message: unknown): number | undefined {
  const result = (message as { plugindata?: { data?: { result?: { master_id?: unknown } } } })?.plugindata
    ?.data?.result;
  return typeof result?.master_id === 'number' ? result.master_id : undefined;
}
