import { RingbusError } from '@ringbus/errors';
import { runIdempotentEffect } from '@ringbus/bus';
import { type Kysely, type Selectable } from 'kysely';
import {
  type ClaimOutcome,
  type IncomingOffer,
  type LiveCallDirectory,
  type LiveCallEntry,
  type LiveCallProjectionStore,
  type OutgoingClaim,
} from '../../app/ports.js';
import { type IncomingPlacement } from '../../domain/call-view.js';
import { chooseIncomingLine } from '../../domain/line-assignment.js';
import { type SignalingDb } from './signaling-schema.js';

type LiveCallRow = Selectable<SignalingDb['signaling_live_call']>;

// Other writers can take a line between our read and our insert; a few rounds settle any real contention.
const MAX_ROUNDS = 5;

export class LiveCallContentionError extends RingbusError<'LIVE_CALL_CONTENTION'> {
  readonly code = 'LIVE_CALL_CONTENTION';
  readonly retryable = true;
  constructor(callId: string) {
    super(`call ${callId}: lines kept changing under the line assignment; try again`);
  }
}

function entryOf(row: LiveCallRow): LiveCallEntry {
  return {
    callId: row.call_id,
    tenant: row.tenant,
    userId: row.user_id,
    direction: row.direction,
    line: row.line,
    clientCallId: row.client_call_id,
    confirmed: row.confirmed,
    claimedAt: row.claimed_at,
  };
}

/**
 * `signaling_live_call` in PostgreSQL. Every claim is one `INSERT … ON CONFLICT DO NOTHING` against the
 * unique keys (call id; tenant + client call id; tenant + user + line), so two instances racing for one
 * line or one call id cannot both win, and none of these statements ever aborts a surrounding transaction.
 * Works on the pool's Kysely or inside a transaction.
 */
export class PostgresLiveCalls implements LiveCallDirectory {
  constructor(private readonly db: Kysely<SignalingDb>) {}

  async claimOutgoing(claim: OutgoingClaim): Promise<ClaimOutcome> {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      if (await this.insert(claim, 'outgoing', claim.line, claim.clientCallId, false))
        return { claimed: true };
      const conflicts = await this.db
        .selectFrom('signaling_live_call')
        .selectAll()
        .where((eb) =>
          eb.or([
            eb('call_id', '=', claim.callId),
            eb.and([eb('tenant', '=', claim.tenant), eb('client_call_id', '=', claim.clientCallId)]),
            eb.and([
              eb('tenant', '=', claim.tenant),
              eb('user_id', '=', claim.userId),
              eb('line', '=', claim.line),
            ]),
          ]),
        )
        .execute();
      // The holder ended between the insert and the look: try again.
      if (conflicts.length > 0) return { claimed: false, conflicts: conflicts.map(entryOf) };
    }
    throw new LiveCallContentionError(claim.callId);
  }

  async confirmOutgoing(callId: string): Promise<void> {
    await this.db
      .updateTable('signaling_live_call')
      .set({ confirmed: true })
      .where('call_id', '=', callId)
      .execute();
  }

  async recordRequested(claim: OutgoingClaim): Promise<'recorded' | 'conflict'> {
    if (await this.insert(claim, 'outgoing', claim.line, claim.clientCallId, true)) return 'recorded';
    const updated = await this.db
      .updateTable('signaling_live_call')
      .set({ confirmed: true })
      .where('call_id', '=', claim.callId)
      .executeTakeFirst();
    return (updated.numUpdatedRows ?? 0n) > 0n ? 'recorded' : 'conflict';
  }

  async release(callId: string): Promise<void> {
    // Only a claim never confirmed: a confirmed call leaves when its CallEnded is projected.
    await this.db
      .deleteFrom('signaling_live_call')
      .where('call_id', '=', callId)
      .where('confirmed', '=', false)
      .execute();
  }

  async placeIncoming(offer: IncomingOffer): Promise<IncomingPlacement> {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const existing = await this.db
        .selectFrom('signaling_live_call')
        .select(['line', 'client_call_id'])
        .where('call_id', '=', offer.callId)
        .executeTakeFirst();
      if (existing !== undefined) return { line: existing.line, clientCallId: existing.client_call_id };

      const busy = await this.db
        .selectFrom('signaling_live_call')
        .select('line')
        .where('tenant', '=', offer.tenant)
        .where('user_id', '=', offer.userId)
        .where('line', 'is not', null)
        .execute();
      const line = chooseIncomingLine(
        offer.preferredLine,
        offer.lineCount,
        new Set(busy.map((row) => row.line as number)),
      );
      const clientCallId = await this.incomingClientCallId(offer);
      if (await this.insert(offer, 'incoming', line, clientCallId, true)) return { line, clientCallId };
    }
    throw new LiveCallContentionError(offer.callId);
  }

  async forget(callId: string): Promise<void> {
    await this.db.deleteFrom('signaling_live_call').where('call_id', '=', callId).execute();
  }

  async findByClientCallId(tenant: string, clientCallId: string): Promise<LiveCallEntry | undefined> {
    const row = await this.db
      .selectFrom('signaling_live_call')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('client_call_id', '=', clientCallId)
      .executeTakeFirst();
    return row === undefined ? undefined : entryOf(row);
  }

  async indexUserCall(call: {
    readonly callId: string;
    readonly tenant: string;
    readonly userId: string;
    readonly direction: 'outgoing' | 'incoming';
    readonly startedAt: Date;
  }): Promise<void> {
    await this.db
      .insertInto('signaling_user_call')
      .values({
        call_id: call.callId,
        tenant: call.tenant,
        user_id: call.userId,
        direction: call.direction,
        started_at: call.startedAt,
        ended_at: null,
      })
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }

  async markUserCallEnded(callId: string, endedAt: Date): Promise<void> {
    await this.db
      .updateTable('signaling_user_call')
      .set({ ended_at: endedAt })
      .where('call_id', '=', callId)
      .where('ended_at', 'is', null)
      .execute();
  }

  async listForUser(tenant: string, userId: string): Promise<readonly LiveCallEntry[]> {
    const rows = await this.db
      .selectFrom('signaling_live_call')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('user_id', '=', userId)
      .orderBy('claimed_at')
      .execute();
    return rows.map(entryOf);
  }

  /**
   * The carrier's SIP Call-ID, unless a live call of the tenant already goes by it (forked INVITEs share
   * one): then our own call id, which is unique by construction.
   */
  private async incomingClientCallId(offer: IncomingOffer): Promise<string> {
    if (offer.carrierSipCallId === '') return offer.callId;
    const taken = await this.db
      .selectFrom('signaling_live_call')
      .select('call_id')
      .where('tenant', '=', offer.tenant)
      .where('client_call_id', '=', offer.carrierSipCallId)
      .executeTakeFirst();
    return taken === undefined ? offer.carrierSipCallId : offer.callId;
  }

  private async insert(
    call: { readonly callId: string; readonly tenant: string; readonly userId: string },
    direction: 'outgoing' | 'incoming',
    line: number | null,
    clientCallId: string,
    confirmed: boolean,
  ): Promise<boolean> {
    const result = await this.db
      .insertInto('signaling_live_call')
      .values({
        call_id: call.callId,
        tenant: call.tenant,
        user_id: call.userId,
        direction,
        line,
        client_call_id: clientCallId,
        confirmed,
      })
      .onConflict((conflict) => conflict.doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }
}

/** Runs a projection effect once per event id, in one transaction with its marker (bus_processed_event). */
export class PostgresLiveCallProjectionStore implements LiveCallProjectionStore {
  constructor(
    private readonly db: Kysely<SignalingDb>,
    /** The marker's owner: the durable consumer's name. */
    private readonly consumer: string,
  ) {}

  applyOnce(
    eventId: string,
    effect: (directory: LiveCallDirectory) => Promise<void>,
  ): Promise<'applied' | 'duplicate'> {
    return runIdempotentEffect(this.db, this.consumer, eventId, (trx) => effect(new PostgresLiveCalls(trx)));
  }
}
