import { type Kysely } from 'kysely';
import { type CdrStore } from '../../app/ports.js';
import { type CallDetailRecord } from '../../domain/call-detail-record.js';
import { type BillingDb } from './billing-schema.js';
import { cdrOfRow, cdrRowOf } from './cdr-rows.js';

/**
 * The live `cdr` table. A save is one statement: insert the row, or update it only where the stored
 * version is still the one the fold started from, so a redelivery or a second instance can never apply
 * an event twice or move a row backwards.
 */
export class PostgresCdrStore implements CdrStore {
  constructor(private readonly db: Kysely<BillingDb>) {}

  async load(callId: string): Promise<CallDetailRecord | undefined> {
    const row = await this.db.selectFrom('cdr').selectAll().where('call_id', '=', callId).executeTakeFirst();
    return row === undefined ? undefined : cdrOfRow(row);
  }

  async save(cdr: CallDetailRecord, expectedVersion: number): Promise<boolean> {
    const row = cdrRowOf(cdr);
    const { call_id: _callId, ...update } = row;
    const result = await this.db
      .insertInto('cdr')
      .values(row)
      .onConflict((conflict) =>
        expectedVersion === 0
          ? conflict.column('call_id').doNothing()
          : conflict
              .column('call_id')
              .doUpdateSet(update)
              .where('cdr.last_stream_version', '=', expectedVersion),
      )
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }
}
