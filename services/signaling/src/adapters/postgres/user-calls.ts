import { type Kysely } from 'kysely';
import { type UserCallIndex } from '../../app/ports.js';
import { type SignalingDb } from './signaling-schema.js';

/** `signaling_user_call`: which calls are whose, kept by the live-call projection. */
export class PostgresUserCallIndex implements UserCallIndex {
  constructor(private readonly db: Kysely<SignalingDb>) {}

  async pageEndedCalls(query: {
    readonly tenant: string;
    readonly userId: string;
    readonly from: Date | undefined;
    readonly to: Date | undefined;
    readonly offset: number;
    readonly limit: number;
  }): Promise<{ readonly callIds: readonly string[]; readonly total: number }> {
    let calls = this.db
      .selectFrom('signaling_user_call')
      .where('tenant', '=', query.tenant)
      .where('user_id', '=', query.userId)
      .where('ended_at', 'is not', null);
    if (query.from !== undefined) calls = calls.where('started_at', '>=', query.from);
    if (query.to !== undefined) calls = calls.where('started_at', '<', query.to);
    const [page, count] = await Promise.all([
      calls
        .select('call_id')
        .orderBy('started_at', 'desc')
        .orderBy('call_id', 'desc')
        .offset(query.offset)
        .limit(query.limit)
        .execute(),
      calls.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { callIds: page.map((row) => row.call_id), total: Number(count.total) };
  }
}
