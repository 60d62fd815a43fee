import { type Kysely } from 'kysely';
import { runIdempotentEffect } from '@ringbus/bus';
import { type LiveCallClaim, type LiveCallClaims } from '../../app/ports.js';
import { LIVE_CALL_CLAIM_TABLE, type MediaSchema } from './media-schema.js';

/**
 * Claims in PostgreSQL. The claim and the "CallRequested event handled" marker commit in one
 * transaction, so a redelivered event finds the marker and places no second call.
 */
export class PostgresLiveCallClaims implements LiveCallClaims {
  constructor(
    private readonly db: Kysely<MediaSchema>,
    /** Owner of the idempotency markers, e.g. the durable consumer's name. */
    private readonly consumer: string,
  ) {}

  async claim(eventId: string, claim: LiveCallClaim): Promise<'claimed' | 'duplicate'> {
    const outcome = await runIdempotentEffect(this.db, this.consumer, eventId, async (trx) => {
      await trx
        .insertInto(LIVE_CALL_CLAIM_TABLE)
        .values({
          call_id: claim.callId,
          instance_id: claim.instanceId,
          gateway_id: claim.gatewayId,
          sip_call_id: claim.sipCallId,
          tenant: claim.tenant,
          traceparent: claim.traceparent,
          correlation_id: claim.correlationId,
        })
        .onConflict((conflict) => conflict.column('call_id').doNothing())
        .execute();
    });
    return outcome === 'applied' ? 'claimed' : 'duplicate';
  }

  async release(callId: string): Promise<void> {
    await this.db.deleteFrom(LIVE_CALL_CLAIM_TABLE).where('call_id', '=', callId).execute();
  }

  async claimsOf(instanceId: string): Promise<readonly LiveCallClaim[]> {
    const rows = await this.db
      .selectFrom(LIVE_CALL_CLAIM_TABLE)
      .selectAll()
      .where('instance_id', '=', instanceId)
      .orderBy('claimed_at')
      .execute();
    return rows.map((row) => ({
      callId: row.call_id,
      instanceId: row.instance_id,
      gatewayId: row.gateway_id,
      sipCallId: row.sip_call_id,
      tenant: row.tenant,
      traceparent: row.traceparent,
      correlationId: row.correlation_id,
    }));
  }
}
