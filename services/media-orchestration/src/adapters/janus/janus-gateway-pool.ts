import Janode from 'janode';
import { type ServiceLogger } from '@ringbus/service-kit';
import { type JanusGatewayConfig } from '../../config.js';
import { JanusRequestError, NoGatewayAvailableError } from '../../domain/errors.js';
import { selectGateway } from '../../domain/gateway-selection.js';
import { type ReconnectPolicy } from '../../domain/reconnect-backoff.js';
import { type GatewayReservation, type SipLine, type SipLineProvider } from '../../app/ports.js';
import { JanusGatewayLink, type JanusGatewayStatus } from './janus-gateway-link.js';
import { type SipLineHandle } from './sip-line-handle.js';
import { JanusSipLine } from './janus-sip-line.js';

export interface JanusGatewayPoolOptions {
  readonly gateways: readonly JanusGatewayConfig[];
  readonly requestTimeoutMs: number;
  readonly reconnect: ReconnectPolicy;
  /** Idle SIP handles kept ready per gateway. */
  readonly warmLines: number;
  /** The guest identity of idle handles. */
  readonly warmIdentity: string;
  readonly logger: ServiceLogger;
  /** janode's console logging (`none` to keep it quiet). */
  readonly janodeLogLevel?: string;
}

/**
 * Every configured Janus gateway, connected with janode, with the number of calls each carries. Picks a
 * gateway for each call (region, then load: domain/gateway-selection.ts) and hands out SIP lines on it.
 */
export class JanusGatewayPool implements SipLineProvider {
  private readonly links: ReadonlyMap<string, JanusGatewayLink>;

  constructor(private readonly options: JanusGatewayPoolOptions) {
    Janode.Logger.setLevel(options.janodeLogLevel ?? 'none');
    this.links = new Map(
      options.gateways.map((gateway) => [
        gateway.id,
        new JanusGatewayLink(gateway, {
          requestTimeoutMs: options.requestTimeoutMs,
          reconnect: options.reconnect,
          warmLines: options.warmLines,
          warmIdentity: options.warmIdentity,
          logger: options.logger,
        }),
      ]),
    );
  }

  /**
   * Connects to every gateway at once. A gateway that does not answer does not stop the start: it is
   * marked down and retried in the background, and calls go to the others meanwhile.
   */
  async start(): Promise<void> {
    await Promise.all([...this.links.values()].map((link) => link.start()));
    const statuses = this.status();
    this.options.logger.info(
      { gateways: statuses.map(({ id, region, state }) => ({ id, region, state })) },
      `Janus gateway pool started: ${statuses.filter((s) => s.state === 'up').length} of ${statuses.length} up`,
    );
  }

  status(): JanusGatewayStatus[] {
    return [...this.links.values()].map((link) => link.status());
  }

  isUp(gatewayId: string): boolean {
    return this.links.get(gatewayId)?.isUp ?? false;
  }

  reserve(region: string): GatewayReservation {
    const link = this.pick(region);
    link.takeSlot();
    return new LinkReservation(link, this.options.requestTimeoutMs);
  }

  /**
   * A gateway for a registration's long-lived handles, picked as a call's gateway is (region, then load).
   * Throws NoGatewayAvailableError.
   */
  registrationHome(region: string): RegistrationHome {
    const link = this.pick(region);
    return {
      gatewayId: link.id,
      region: link.config.region,
      requestTimeoutMs: this.options.requestTimeoutMs,
      attachHandle: () => link.attachDedicatedHandle(),
      takeSlot: () => link.takeSlot(),
      giveSlotBack: () => link.giveSlotBack(),
      lossReason: () => link.lossReason(),
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.links.values()].map((link) => link.close()));
  }

  /** The gateway for new work in `region` (region first, then load); throws NoGatewayAvailableError. */
  private pick(region: string): JanusGatewayLink {
    const loads = [...this.links.values()].map((link) => {
      const { id, region: gatewayRegion, capacity, liveCalls } = link.status();
      return { id, region: gatewayRegion, capacity, liveCalls, up: link.isUp };
    });
    const selection = selectGateway(loads, region);
    if ('shortage' in selection) throw new NoGatewayAvailableError(selection.shortage, region);
    return this.links.get(selection.gateway.id) as JanusGatewayLink;
  }
}

/** Where a registration's handles live: one gateway, whose call slots its incoming calls take. */
export interface RegistrationHome {
  readonly gatewayId: string;
  readonly region: string;
  readonly requestTimeoutMs: number;
  attachHandle(): Promise<SipLineHandle>;
  takeSlot(): void;
  giveSlotBack(): void;
  lossReason(): string;
}

class LinkReservation implements GatewayReservation {
  private settled = false;

  constructor(
    private readonly link: JanusGatewayLink,
    private readonly requestTimeoutMs: number,
  ) {}

  get gatewayId(): string {
    return this.link.id;
  }

  get region(): string {
    return this.link.config.region;
  }

  async openLine(): Promise<SipLine> {
    if (this.settled) throw new Error('this gateway reservation was already used');
    this.settled = true;
    const link = this.link;
    try {
      const handle = await link.takeSipHandle();
      return new JanusSipLine(handle, {
        gatewayId: link.id,
        region: link.config.region,
        requestTimeoutMs: this.requestTimeoutMs,
        slotFreed: () => link.giveSlotBack(),
        recycle: (used, idle) => link.recycle(used, idle),
        lossReason: () => link.lossReason(),
      });
    } catch (error) {
      link.giveSlotBack();
      throw new JanusRequestError(link.id, 'attach', { cause: error });
    }
  }

  cancel(): void {
    if (this.settled) return;
    this.settled = true;
    this.link.giveSlotBack();
  }
}
