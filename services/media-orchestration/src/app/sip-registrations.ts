import { type ServiceLogger } from '@ringbus/service-kit';
import { type IncomingCallReception } from './incoming-call-reception.js';
import {
  type RegisteredAccount,
  type RegistrationLeases,
  type SipRegistrar,
  type SipRegistration,
} from './ports.js';

export interface SipRegistrationsDeps {
  readonly accounts: readonly RegisteredAccount[];
  readonly leases: RegistrationLeases;
  readonly registrar: SipRegistrar;
  readonly reception: IncomingCallReception;
  readonly logger: ServiceLogger;
}

/**
 * Keeps the accounts this instance holds a lease on registered. Every third of the lease it renews its
 * leases and takes free or lapsed ones, registers what it newly holds, and re-registers what it lost
 * (its gateway died). Two instances never register one account at once, so an INVITE never forks into
 * two calls; when an instance dies, another takes its accounts within one lease.
 */
export class SipRegistrations {
  private readonly held = new Map<string, SipRegistration | 'opening'>();
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly settings: { readonly instanceId: string; readonly leaseMs: number },
    private readonly deps: SipRegistrationsDeps,
  ) {}

  async start(): Promise<void> {
    if (this.deps.accounts.length === 0) return;
    await this.renew();
    this.timer = setInterval(() => void this.renew(), Math.floor(this.settings.leaseMs / 3));
    this.timer.unref();
  }

  /** How many accounts this instance has registered right now. */
  get registered(): number {
    return [...this.held.values()].filter((entry) => entry !== 'opening').length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.renewing;
    const registrations = [...this.held.values()].filter((entry) => entry !== 'opening');
    await Promise.all(registrations.map((registration) => registration.close()));
    await this.deps.leases
      .release([...this.held.keys()], this.settings.instanceId)
      .catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'could not give the registration leases back'),
      );
    this.held.clear();
  }

  private renew(): Promise<void> {
    this.renewing = this.renewing.then(() => this.renewOnce());
    return this.renewing;
  }

  private async renewOnce(): Promise<void> {
    if (this.stopped) return;
    const { accounts, leases, logger } = this.deps;
    let owned: ReadonlySet<string>;
    try {
      owned = new Set(
        await leases.acquire(
          accounts.map((account) => account.userId),
          this.settings.instanceId,
          this.settings.leaseMs,
        ),
      );
    } catch (error) {
      logger.error({ err: error }, 'could not renew the SIP registration leases; retrying');
      return;
    }
    for (const [userId, entry] of this.held) {
      if (owned.has(userId) || entry === 'opening') continue;
      // Our lease lapsed and another instance holds the account now: it registers, we let go.
      this.held.delete(userId);
      await entry.close();
      logger.warn({ userId }, 'another instance took over the SIP registration');
    }
    for (const account of accounts) {
      if (owned.has(account.userId) && !this.held.has(account.userId)) await this.open(account);
    }
  }

  private async open(account: RegisteredAccount): Promise<void> {
    const { userId } = account;
    this.held.set(userId, 'opening');
    try {
      const registration = await this.deps.registrar.register(account, (incoming) => {
        void this.deps.reception
          .receive(account, incoming)
          .catch((error: unknown) =>
            this.deps.logger.error({ err: error, userId }, 'an incoming call could not be taken'),
          );
      });
      this.held.set(userId, registration);
      void registration.lost.then((why) => {
        if (this.held.get(userId) !== registration) return;
        this.held.delete(userId);
        if (!this.stopped)
          this.deps.logger.warn({ userId, why }, 'SIP registration lost; it is renewed shortly');
      });
    } catch (error) {
      this.held.delete(userId);
      this.deps.logger.error(
        { err: error, userId },
        'SIP registration failed; retrying at the next lease renewal',
      );
    }
  }
}
