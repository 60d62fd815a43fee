import { GLOBAL_POSITION_START, createPostgresEventStore, type GlobalPosition } from '@ringbus/event-store';
import {
  billingDatabase,
  migrateBillingSchema,
} from '../../services/billing-adapter/src/adapters/postgres/billing-schema.js';
import { PostgresCdrStore } from '../../services/billing-adapter/src/adapters/postgres/postgres-cdr-store.js';
import {
  eventStoreCallStreams,
  storedCallEventOf,
} from '../../services/billing-adapter/src/adapters/event-store/event-store-call-events.js';
import { CdrProjection } from '../../services/billing-adapter/src/app/cdr-projection.js';
import { type BenchSchema } from '../event-store/bench-targets.js';

/**
 * The baseline: the live projection applied to the log one event at a time, in global order (a load
 * and a conditional upsert per event, as the durable consumer does, without NATS in between), into a
 * CDR table of its own, for `seconds`.
 */
export async function measureNaiveProjection(
  schema: BenchSchema,
  seconds: number,
): Promise<{ events: number; calls: number; seconds: number }> {
  const cdrSchema = `${schema.schema}_naive`;
  await migrateBillingSchema(schema.pool, cdrSchema);
  const store = createPostgresEventStore({ pool: schema.pool });
  const projection = new CdrProjection(
    new PostgresCdrStore(billingDatabase(schema.pool, cdrSchema)),
    eventStoreCallStreams(store),
    { defaultCountryCode: '' },
    { warn: () => undefined },
  );
  let events = 0;
  let after: GlobalPosition = GLOBAL_POSITION_START;
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  try {
    while (elapsed() < seconds) {
      const page = await store.readAll({ after, maxCount: 1_000 });
      if (page.length === 0) break;
      for (const event of page) {
        await projection.apply(storedCallEventOf(event));
        events += 1;
        if (elapsed() >= seconds) break;
      }
      after = page[page.length - 1]!.globalPosition;
    }
    const took = elapsed();
    const { rows } = await schema.pool.query<{ calls: string }>(
      `select count(*) as calls from "${cdrSchema}".cdr`,
    );
    return { events, calls: Number(rows[0]?.calls), seconds: took };
  } finally {
    await store.close();
    await schema.pool.query(`drop schema if exists "${cdrSchema}" cascade`);
  }
}
