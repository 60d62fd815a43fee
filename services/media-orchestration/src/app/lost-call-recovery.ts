import { type ServiceLogger } from '@ringbus/service-kit';
import { gatewayLost } from '../domain/sip-leg-translation.js';
import { type CallRecorder } from './call-recorder.js';
import { type LiveCallClaims } from './ports.js';

/**
 * Ends the calls a previous run of this instance left claimed: it died (or could not record their end)
 * and its Janus sessions went with its WebSocket connections, so no SIP leg of those calls is left to
 * reach. Each ends as GATEWAY_LOST, hung up by the system. Returns how many calls it ended.
 */
export async function endCallsLostByRestart(
  instanceId: string,
  claims: LiveCallClaims,
  recorder: CallRecorder,
  logger: ServiceLogger,
  now: () => number = Date.now,
): Promise<number> {
  const left = await claims.claimsOf(instanceId);
  for (const claim of left) {
    const { callId, sipCallId, gatewayId, tenant, traceparent, correlationId } = claim;
    await recorder.record(
      {
        kind: 'ended',
        ending: gatewayLost(
          `media-orchestration instance ${instanceId} restarted; the Janus session of the call on ${gatewayId} closed with it`,
        ),
      },
      { callId, sipCallId, gatewayId, region: '', context: { tenant, traceparent, correlationId } },
      now(),
    );
    await claims.release(callId);
    logger.warn({ callId, sipCallId, gatewayId }, 'ended a call this instance lost when it restarted');
  }
  return left.length;
}
