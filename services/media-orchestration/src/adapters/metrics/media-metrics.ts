import { timestampMs } from '@bufbuild/protobuf/wkt';
import { type CallCommandHandler } from '@ringbus/call-commands';
import { type RecordedEvent } from '@ringbus/event-store';
import { CallDirection, CallEndReason } from '@ringbus/proto';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { type JanusGatewayStatus } from '../janus/janus-gateway-link.js';

/** Where the gauges read the Janus pool from at each scrape (`JanusGatewayPool` in production). */
export interface GatewayStatusSource {
  status(): readonly JanusGatewayStatus[];
}

/** Seconds from CallRequested to SIP INVITE sent: most calls well under a second, a slow Janus in seconds. */
const SETUP_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

const END_REASON_PREFIX = 'CALL_END_REASON_';

/**
 * media-orchestration's Prometheus metrics (names in docs/operations.md, "Metrics"), in the frame's
 * registry. Call metrics are counted from the events this instance records (the call command handler's
 * outcome), so a redelivered command that changed nothing counts nothing; gateway gauges are read from the
 * pool when Prometheus scrapes.
 */
export class MediaOrchestrationMetrics {
  private readonly setupSeconds: Histogram<'region'>;
  private readonly callsEnded: Counter<'direction' | 'reason' | 'answered'>;

  constructor(registry: Registry, gateways: GatewayStatusSource) {
    const registers = [registry];
    this.setupSeconds = new Histogram({
      name: 'ringbus_media_call_setup_seconds',
      help: 'Outgoing calls: time from CallRequested (its occurred_at) to SipInviteSent',
      labelNames: ['region'],
      buckets: SETUP_BUCKETS_S,
      registers,
    });
    this.callsEnded = new Counter({
      name: 'ringbus_media_calls_ended_total',
      help: 'Calls whose CallEnded this instance recorded, by direction, end reason and whether answered',
      labelNames: ['direction', 'reason', 'answered'],
      registers,
    });
    const gauge = <Label extends string>(
      name: string,
      help: string,
      labelNames: readonly Label[],
      read: (gauge: Gauge<Label>, statuses: readonly JanusGatewayStatus[]) => void,
    ) =>
      new Gauge<Label>({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          read(this, gateways.status());
        },
      });
    gauge(
      'ringbus_media_active_calls',
      'Calls this instance carries on its Janus gateways now',
      [],
      (g, all) => g.set(all.reduce((sum, each) => sum + each.liveCalls, 0)),
    );
    gauge(
      'ringbus_janus_gateway_up',
      '1 while the Janus gateway is connected, else 0',
      ['gateway', 'region'],
      (g, all) => all.forEach((each) => g.set(labelsOf(each), each.state === 'up' ? 1 : 0)),
    );
    gauge(
      'ringbus_janus_gateway_live_calls',
      'Calls on the Janus gateway now (of its capacity)',
      ['gateway', 'region'],
      (g, all) => all.forEach((each) => g.set(labelsOf(each), each.liveCalls)),
    );
    gauge(
      'ringbus_janus_gateway_capacity_calls',
      'Calls the Janus gateway may carry at once',
      ['gateway', 'region'],
      (g, all) => all.forEach((each) => g.set(labelsOf(each), each.capacity)),
    );
    gauge(
      'ringbus_janus_gateway_warm_lines',
      'SIP handles attached, registered and waiting for a call',
      ['gateway', 'region'],
      (g, all) => all.forEach((each) => g.set(labelsOf(each), each.warmLines)),
    );
    gauge(
      'ringbus_janus_gateway_handles_attached',
      'SIP handles attached since the gateway connected (a gauge: it restarts at 0 on reconnect)',
      ['gateway', 'region'],
      (g, all) => all.forEach((each) => g.set(labelsOf(each), each.handlesAttached)),
    );
  }

  /** The handler, counting what each command it handles newly records. */
  observing(handler: CallCommandHandler): CallCommandHandler {
    return async (command, context) => {
      const outcome = await handler(command, context);
      const state = outcome.state;
      if (outcome.alreadyHandled || state.status === 'none') return outcome;
      for (const event of outcome.events) {
        if (event.type === 'SipInviteSent') {
          const seconds = (Date.parse(event.metadata.occurredAt) - timestampMs(state.startedAt)) / 1_000;
          if (seconds >= 0) this.setupSeconds.observe({ region: textOf(event.data['region']) }, seconds);
        } else if (event.type === 'CallEnded') {
          this.callsEnded.inc({
            direction: state.direction === CallDirection.OUTGOING ? 'outgoing' : 'incoming',
            reason: endReasonOf(event),
            answered: state.answeredAt === undefined ? 'false' : 'true',
          });
        }
      }
      return outcome;
    };
  }
}

function labelsOf(status: JanusGatewayStatus): { gateway: string; region: string } {
  return { gateway: status.id, region: status.region };
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** `CALL_END_REASON_NO_ANSWER` -> `no_answer`; an unknown or missing reason counts as `failed` (docs/events.md). */
function endReasonOf(event: RecordedEvent): string {
  const reason = textOf(event.data['reason']);
  const known = Object.keys(CallEndReason).filter(
    (name) => Number.isNaN(Number(name)) && name !== 'UNSPECIFIED',
  );
  const name = reason.startsWith(END_REASON_PREFIX) ? reason.slice(END_REASON_PREFIX.length) : '';
  return known.includes(name) ? name.toLowerCase() : 'failed';
}
