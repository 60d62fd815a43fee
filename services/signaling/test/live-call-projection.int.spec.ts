import { generateCallId } from '@ringbus/client-sdk';
import { callStreamId } from '@ringbus/call-domain';
import { migrateBusSchema } from '@ringbus/bus';
import { type RecordedEvent } from '@ringbus/event-store';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsMediaLegs } from '../src/adapters/nats/nats-media-legs.js';
import { PostgresLiveCallProjectionStore } from '../src/adapters/postgres/live-calls.js';
import { migrateSignalingSchema, signalingDatabase } from '../src/adapters/postgres/signaling-schema.js';
import { PostgresSubscriberDirectory } from '../src/adapters/postgres/subscribers.js';
import { LiveCallProjection } from '../src/app/live-call-projection.js';
import {
  eventually,
  OFFER_SDP,
  SignalingPlatform,
  TENANT,
  type SignalingInstance,
} from './support/signaling-platform.js';

let platform: SignalingPlatform;
let instance: SignalingInstance;

beforeAll(async () => {
  platform = await SignalingPlatform.start();
  await migrateSignalingSchema(platform.schema.pool);
  await migrateBusSchema(platform.schema.pool);
  instance = await platform.startInstance();
});

afterAll(async () => {
  await platform?.stop();
});

async function liveRow(callId: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await platform.schema.pool.query('select * from signaling_live_call where call_id = $1', [
    callId,
  ]);
  return rows[0] as Record<string, unknown> | undefined;
}

describe('signaling_live_call projection', () => {
  it('places an incoming call for a user with no socket, and the user finds it on connecting', async () => {
    const user = await platform.provisionUser(2);
    const callId = await platform.offer(user.userId, 'offline-1@carrier.example');
    // No socket anywhere: only the durable consumer can have placed it.
    const row = await eventually('the projection to place the call', () => liveRow(callId));
    expect(row).toMatchObject({
      user_id: user.userId,
      line: 0,
      client_call_id: 'offline-1@carrier.example',
      direction: 'incoming',
    });
    const { state } = await platform.connect(instance, user);
    expect(state.lines[0]?.call_id).toBe('offline-1@carrier.example');
    await platform.ended(callId, 487);
    await eventually('the call to leave the table', async () =>
      (await liveRow(callId)) === undefined ? true : undefined,
    );
  });

  it('applies each event once: a redelivered CallRequested after CallEnded does not bring the call back', async () => {
    const projection = new LiveCallProjection(
      new PostgresLiveCallProjectionStore(signalingDatabase(platform.schema.pool), 'projection-test'),
      new PostgresSubscriberDirectory(signalingDatabase(platform.schema.pool)),
      pino({ level: 'silent' }),
      new NatsMediaLegs(platform.nats, 1_000, () => 'request-id'),
    );
    const user = await platform.provisionUser();
    const { client } = await platform.connect(instance, user);
    const clientCallId = generateCallId();
    await client.outgoingCall({
      line: 0,
      callId: clientCallId,
      number: '+15550199',
      jsep: { type: 'offer', sdp: OFFER_SDP },
    });
    const callId = await platform.callIdOf(clientCallId);
    await platform.ended(callId, 0);
    const events: readonly RecordedEvent[] = await platform.store.readStream(callStreamId(callId));
    for (const event of [...events, ...events]) await projection.apply(event);
    expect(await liveRow(callId)).toBeUndefined();
    const { rows } = await platform.schema.pool.query(
      'select count(*)::int as count from bus_processed_event where consumer = $1',
      ['projection-test'],
    );
    expect(rows[0]).toEqual({ count: 2 });
  });

  it('clears an outgoing claim a crash left behind (no stream after 30 s), and only that', async () => {
    const user = await platform.provisionUser();
    const db = signalingDatabase(platform.schema.pool);
    const abandoned = '01936b2e-0000-7000-8000-000000000001';
    await db
      .insertInto('signaling_live_call')
      .values({
        call_id: abandoned,
        tenant: TENANT,
        user_id: user.userId,
        direction: 'outgoing',
        line: 0,
        client_call_id: 'left-behind',
        confirmed: false,
        claimed_at: new Date(Date.now() - 60_000),
      })
      .execute();
    const { client } = await platform.connect(instance, user);
    const ack = await client.outgoingCall({
      line: 0,
      callId: 'left-behind',
      number: '+15550199',
      jsep: { type: 'offer', sdp: OFFER_SDP },
    });
    expect(ack.response).toBe('ack');
    expect(await liveRow(abandoned)).toBeUndefined();
    // A recent claim (a RequestCall still in flight elsewhere) is left alone: its line stays busy.
    const inFlight = '01936b2e-0000-7000-8000-000000000002';
    await db
      .insertInto('signaling_live_call')
      .values({
        call_id: inFlight,
        tenant: TENANT,
        user_id: user.userId,
        direction: 'outgoing',
        line: 1,
        client_call_id: 'in-flight',
        confirmed: false,
      })
      .execute();
    await expect(
      client.outgoingCall({
        line: 1,
        callId: generateCallId(),
        number: '+15550199',
        jsep: { type: 'offer', sdp: OFFER_SDP },
      }),
    ).rejects.toMatchObject({ responseCode: 447 });
    expect(await liveRow(inFlight)).toBeDefined();
  });
});
