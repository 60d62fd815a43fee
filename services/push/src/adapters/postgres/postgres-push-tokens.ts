import { type Kysely, sql } from 'kysely';
import { type PushDeliveryLog, type PushDeliveryState, type PushTokenRegistry } from '../../app/ports.js';
import { type IncomingCallPush } from '../../domain/incoming-call-push.js';
import {
  PUSH_TOKEN_KINDS,
  type PushToken,
  type PushTokenKey,
  type PushTokenKind,
} from '../../domain/push-token.js';
import { type PushDb } from './push-schema.js';

function kindOf(value: string): PushTokenKind {
  const kind = PUSH_TOKEN_KINDS.find((candidate) => candidate === value);
  if (kind === undefined) throw new Error(`push_token.kind ${JSON.stringify(value)} is not a token kind`);
  return kind;
}

/** `push_token` in PostgreSQL. */
export class PostgresPushTokenRegistry implements PushTokenRegistry {
  constructor(private readonly db: Kysely<PushDb>) {}

  async register(token: PushToken): Promise<{ readonly created: boolean }> {
    // xmax = 0 only on a row this statement inserted (an update of an existing row sets it).
    const row = await this.db
      .insertInto('push_token')
      .values({
        tenant: token.tenant,
        user_id: token.userId,
        kind: token.kind,
        token: token.token,
        app_id: token.appId,
      })
      .onConflict((conflict) =>
        conflict.columns(['tenant', 'user_id', 'kind', 'token']).doUpdateSet({ app_id: token.appId }),
      )
      .returning(sql<boolean>`xmax = 0`.as('created'))
      .executeTakeFirstOrThrow();
    return { created: row.created };
  }

  async unregister(key: PushTokenKey): Promise<boolean> {
    const result = await this.db
      .deleteFrom('push_token')
      .where('tenant', '=', key.tenant)
      .where('user_id', '=', key.userId)
      .where('kind', '=', key.kind)
      .where('token', '=', key.token)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async removeInvalid(tenant: string, kind: PushTokenKind, token: string): Promise<number> {
    const result = await this.db
      .deleteFrom('push_token')
      .where('tenant', '=', tenant)
      .where('kind', '=', kind)
      .where('token', '=', token)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async listForUser(tenant: string, userId: string): Promise<readonly PushToken[]> {
    const rows = await this.db
      .selectFrom('push_token')
      .select(['tenant', 'user_id', 'kind', 'token', 'app_id'])
      .where('tenant', '=', tenant)
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute();
    return rows.map((row) => ({
      tenant: row.tenant,
      userId: row.user_id,
      kind: kindOf(row.kind),
      token: row.token,
      appId: row.app_id,
    }));
  }
}

/** `push_delivery` in PostgreSQL: the claim is one insert … select … on conflict do nothing. */
export class PostgresPushDeliveryLog implements PushDeliveryLog {
  constructor(private readonly db: Kysely<PushDb>) {}

  async claim(push: IncomingCallPush): Promise<readonly PushToken[]> {
    const rows = await this.db
      .insertInto('push_delivery')
      .columns(['event_id', 'kind', 'token', 'tenant', 'user_id', 'app_id', 'call_id', 'state'])
      .expression((eb) =>
        eb
          .selectFrom('push_token')
          .select([
            eb.val(push.eventId).as('event_id'),
            'kind',
            'token',
            'tenant',
            'user_id',
            'app_id',
            eb.val(push.ringbusCallId).as('call_id'),
            eb.val('sending').as('state'),
          ])
          .where('tenant', '=', push.tenant)
          .where('user_id', '=', push.userId),
      )
      .onConflict((conflict) => conflict.columns(['event_id', 'kind', 'token']).doNothing())
      .returning(['tenant', 'user_id', 'kind', 'token', 'app_id'])
      .execute();
    return rows.map((row) => ({
      tenant: row.tenant,
      userId: row.user_id,
      kind: kindOf(row.kind),
      token: row.token,
      appId: row.app_id,
    }));
  }

  async settle(eventId: string, token: PushToken, state: PushDeliveryState, detail: string): Promise<void> {
    await this.db
      .updateTable('push_delivery')
      .set({ state, detail: detail.slice(0, 200), settled_at: sql<Date>`now()` })
      .where('event_id', '=', eventId)
      .where('kind', '=', token.kind)
      .where('token', '=', token.token)
      .execute();
  }
}
