import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Kysely, PostgresDialect } from 'kysely';
import { pino } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallCommandHandler, foldCallEvents } from '@ringbus/call-commands';
import { callStreamId, sipCallIdFor } from '@ringbus/call-domain';
import { createPostgresEventStore, migratePostgresEventStore, type EventStore } from '@ringbus/event-store';
import { CallCommandSchema, CallEndReason, CallParty, callEventFromRecord } from '@ringbus/proto';
import { createTestSchema, type TestSchema } from '@ringbus/testkit';
import { type MediaSchema, migrateMediaSchema } from '../src/adapters/postgres/media-schema.js';
import { PostgresLiveCallClaims } from '../src/adapters/postgres/postgres-live-call-claims.js';
import { CallRecorder } from '../src/app/call-recorder.js';
import { endCallsLostByRestart } from '../src/app/lost-call-recovery.js';
import { type LiveCallClaim } from '../src/app/ports.js';

const silent = pino({ level: 'silent' });

describe('live call claims in PostgreSQL, and ending the calls a restart lost', () => {
  let database: TestSchema;
  let store: EventStore;
  let claims: PostgresLiveCallClaims;

  beforeAll(async () => {
    database = await createTestSchema('media_claims');
    await migratePostgresEventStore(database.pool);
    await migrateMediaSchema(database.pool);
    // Migrating twice changes nothing: every start of the service runs it.
    await migrateMediaSchema(database.pool);
    store = createPostgresEventStore({ pool: database.pool });
    claims = new PostgresLiveCallClaims(
      new Kysely<MediaSchema>({ dialect: new PostgresDialect({ pool: database.pool }) }),
      'media-orchestration:CallRequested',
    );
  });

  afterAll(async () => {
    await database?.drop();
  });

  const claimOf = (callId: string, instanceId: string): LiveCallClaim => ({
    callId,
    instanceId,
    gatewayId: 'janus-eu-1',
    sipCallId: sipCallIdFor(callId),
    tenant: 'acme',
    traceparent: '',
    correlationId: callStreamId(callId),
  });

  it('claims a call once per CallRequested event, however often the event comes', async () => {
    const callId = uuidv7();
    const eventId = uuidv7();
    const results = await Promise.all([
      claims.claim(eventId, claimOf(callId, 'a')),
      claims.claim(eventId, claimOf(callId, 'b')),
      claims.claim(eventId, claimOf(callId, 'a')),
    ]);
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
    const owner = results.indexOf('claimed') === 1 ? 'b' : 'a';
    expect((await claims.claimsOf(owner)).map((c) => c.callId)).toContain(callId);
    await claims.release(callId);
    expect((await claims.claimsOf(owner)).map((c) => c.callId)).not.toContain(callId);
    // Released, the event is still handled: a redelivery places nothing.
    expect(await claims.claim(eventId, claimOf(callId, 'a'))).toBe('duplicate');
  });

  it("a restarted instance ends its calls as GATEWAY_LOST and drops their claims; other instances' stay", async () => {
    const handle = createCallCommandHandler({ store, newEventId: uuidv7 });
    const startCall = async (callId: string): Promise<void> => {
      const base = { callId, occurredAt: timestampFromMs(Date.now()) };
      await handle(
        create(CallCommandSchema, {
          ...base,
          commandId: uuidv7(),
          command: {
            case: 'requestCall',
            value: { userId: 'u', caller: '1001', callee: '1002', sdpOffer: 'v=0', clientCallId: 'c' },
          },
        }),
        { tenant: 'acme', traceparent: '' },
      );
      await handle(
        create(CallCommandSchema, {
          ...base,
          commandId: uuidv7(),
          command: {
            case: 'recordInviteSent',
            value: { sipCallId: sipCallIdFor(callId), janusGatewayId: 'janus-eu-1', region: 'eu' },
          },
        }),
        { tenant: 'acme', traceparent: '' },
      );
    };
    const mine = [uuidv7(), uuidv7()];
    const theirs = uuidv7();
    for (const callId of [...mine, theirs]) await startCall(callId);
    for (const callId of mine) await claims.claim(uuidv7(), claimOf(callId, 'restarted'));
    await claims.claim(uuidv7(), claimOf(theirs, 'still-running'));

    const ended = await endCallsLostByRestart('restarted', claims, new CallRecorder(handle, silent), silent);

    expect(ended).toBe(2);
    for (const callId of mine) {
      const events = await store.readStream(callStreamId(callId));
      expect(foldCallEvents(events).status).toBe('ended');
      const lastRecord = events.at(-1);
      if (lastRecord === undefined) throw new Error(`call ${callId} has no events`);
      const last = callEventFromRecord(lastRecord).event;
      expect(last.case === 'callEnded' && last.value).toMatchObject({
        reason: CallEndReason.GATEWAY_LOST,
        hungUpBy: CallParty.SYSTEM,
        sipCode: 0,
      });
    }
    expect(await claims.claimsOf('restarted')).toEqual([]);
    expect((await claims.claimsOf('still-running')).map((c) => c.callId)).toEqual([theirs]);
    expect(foldCallEvents(await store.readStream(callStreamId(theirs))).status).toBe('invite_sent');
  });
});
